/**
 * Passkey-first sign-up through the SDK against the real server, with passwords turned off: an
 * email address, the emailed code, a passkey from a software authenticator. Step by step (the
 * confirmation's session registers a passkey and is refused everything else) and in one call
 * (`finishPasskeyFirstSignUp`, ending in a full passkey session). The browser version of this
 * walkthrough is the `no-run` block in docs/passkeys.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, PortcullisClient, isApiError, type PasskeyAuthenticator } from '@portcullis/sdk';
import { confirmPasskeyFirstSignUp } from '@portcullis/sdk/accounts';
import { registerPasskey } from '@portcullis/sdk/passkeys';
import type { RunningServer } from './server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { SoftwareAuthenticator } from './test-support/software-authenticator.ts';

describe('SDK passkey-first sign-up ↔ server (passwords off)', () => {
  let server: RunningServer;
  let baseUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer({ config: () => ({ passwords: { enabled: false } }) }));
  });
  afterAll(() => server.close());

  const device = { label: 'SDK test', platform: 'web' as const };
  const client = () => new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
  const authenticator = (): PasskeyAuthenticator => {
    const software = new SoftwareAuthenticator();
    return {
      create: (options) => Promise.resolve(software.register(options, { origin: baseUrl })),
      get: (options) => Promise.resolve(software.assert(options, { origin: baseUrl })),
    };
  };
  const codeFor = async (email: string) => codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);

  it('step by step: the confirmation opens a session that registers a passkey and is refused an authenticator app', async () => {
    const sdk = client();
    const email = 'steps@example.test';
    await sdk.signUp({ email });
    const session = await confirmPasskeyFirstSignUp(sdk, { email, code: await codeFor(email), device });
    expect(session.aal).toBe('aal1');
    expect((await sdk.getAccount()).email).toBe(email);
    const refused = await sdk.startTotpEnrolment('Phone').catch((error: unknown) => error);
    expect(isApiError(refused) && refused.code).toBe('MFA_ENROLMENT_REQUIRED');
    const key = authenticator();
    expect((await registerPasskey(sdk, key, 'Laptop')).name).toBe('Laptop');
    expect((await client().signInWithPasskey(key, device)).aal).toBe('aal2_phr');
  });

  it('in one call: confirm, register a passkey, and sign in with it', async () => {
    const sdk = client();
    const email = 'one-call@example.test';
    await sdk.signUp({ email });
    const { passkey, session } = await sdk.finishPasskeyFirstSignUp(authenticator(), {
      email,
      code: await codeFor(email),
      device,
      passkeyName: 'This laptop',
    });
    expect(session.aal).toBe('aal2_phr');
    expect((await sdk.listPasskeys()).passkeys.map((p) => p.id)).toEqual([passkey.id]);
    expect((await sdk.listSessions()).sessions).toHaveLength(1);
  });
});
