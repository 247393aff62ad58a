/**
 * @module test-support/browser-passkey-page
 *
 * The script of the test page `sdk.browser.test.ts` serves to Chromium: an app's use of
 * `@portcullis/sdk` in a browser, with `browserPasskeyAuthenticator()` over the browser's own
 * WebAuthn. Bundled with esbuild when the test starts; it exposes each step on
 * `globalThis.passkeyPage` so the test can drive it and, between steps, read the server's outbox
 * and tables. Runs only in the browser (the test imports its types, never the module).
 */
import { MemoryTokenStore, PortcullisClient, browserPasskeyAuthenticator, type Account, type Passkey } from '@portcullis/sdk';

export interface PasskeyPage {
  /** Signs up with the first client of the page (the "laptop"). */
  signUp(email: string, password: string): Promise<void>;
  verifyEmail(email: string, code: string): Promise<void>;
  signIn(email: string, password: string): Promise<void>;
  /** `registerPasskey(browserPasskeyAuthenticator(), name)` on the signed-in client. */
  registerPasskey(name: string): Promise<Passkey>;
  /** A fresh client, no email or password: `signInWithPasskey(browserPasskeyAuthenticator(), …)`, then `getAccount()`. */
  signInWithPasskey(): Promise<Account>;
}

const client = (): PortcullisClient => new PortcullisClient({ baseUrl: baseUrl(), tokenStore: new MemoryTokenStore() });

function baseUrl(): string {
  const { location } = globalThis as unknown as { location: { origin: string } };
  return location.origin;
}

const laptop = client();

const page: PasskeyPage = {
  signUp: async (email, password) => {
    await laptop.signUp({ email, password });
  },
  verifyEmail: async (email, code) => {
    await laptop.verifyEmail({ email, code, device: { label: 'Chromium (password)', platform: 'web' } });
  },
  signIn: async (email, password) => {
    await laptop.signIn({ email, password, device: { label: 'Chromium (password)', platform: 'web' } });
  },
  registerPasskey: (name) => laptop.registerPasskey(browserPasskeyAuthenticator(), name),
  signInWithPasskey: async () => {
    const fresh = client();
    await fresh.signInWithPasskey(browserPasskeyAuthenticator(), { label: 'Web', platform: 'web' });
    return fresh.getAccount();
  },
};

(globalThis as unknown as { passkeyPage: PasskeyPage }).passkeyPage = page;
