/**
 * @module passkeys/browser-passkey-authenticator
 *
 * WebAuthn in the browser through @simplewebauthn/browser, which converts between the JSON the
 * server speaks and the ArrayBuffers `navigator.credentials` wants, and reports the browser's
 * refusals (cancelled, no matching credential, insecure context) as named errors.
 */
import {
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/browser';
import type { PasskeyAuthenticator } from './passkey-authenticator.ts';

/** Options of {@link browserPasskeyAuthenticator}. */
export interface BrowserPasskeyOptions {
  /**
   * Sign-in through the browser's autofill (WebAuthn conditional mediation): `get` waits until
   * the person picks a passkey from the suggestions of an input with
   * `autocomplete="username webauthn"`, instead of opening a dialog. A later ceremony (a button
   * that asks for a passkey outright) cancels the waiting one.
   */
  readonly conditional?: boolean | undefined;
}

/**
 * @example
 *   await client.registerPasskey(browserPasskeyAuthenticator(), 'This laptop');
 *   await client.signInWithPasskey(browserPasskeyAuthenticator(), { label: 'Web', platform: 'web' });
 */
export function browserPasskeyAuthenticator(options: BrowserPasskeyOptions = {}): PasskeyAuthenticator {
  const useBrowserAutofill = options.conditional === true;
  return {
    // The server's options are WebAuthn's JSON form; only `hints` is typed more loosely in the protocol.
    create: async (creation) => await startRegistration({ optionsJSON: creation as PublicKeyCredentialCreationOptionsJSON }),
    get: async (request) => await startAuthentication({ optionsJSON: request, useBrowserAutofill }),
  };
}

/** Whether this browser offers passkeys in autofill (conditional mediation). */
export async function passkeyAutofillAvailable(): Promise<boolean> {
  const credential = (globalThis as { PublicKeyCredential?: { isConditionalMediationAvailable?: () => Promise<boolean> } })
    .PublicKeyCredential;
  return typeof credential?.isConditionalMediationAvailable === 'function' ? await credential.isConditionalMediationAvailable() : false;
}

/**
 * Cancels the passkey ceremony this page is running, if any (e.g. the autofill request of a
 * sign-in page the person has left): its promise rejects with an `AbortError`.
 */
export function cancelPasskeyCeremony(): void {
  WebAuthnAbortService.cancelCeremony();
}
