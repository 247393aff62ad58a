/**
 * @module passkeys/browser-passkey-authenticator
 *
 * WebAuthn in the browser through @simplewebauthn/browser, which converts between the JSON the
 * server speaks and the ArrayBuffers `navigator.credentials` wants, and reports the browser's
 * refusals (cancelled, no matching credential, insecure context) as named errors.
 */
import { startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import type { PasskeyAuthenticator } from './passkey-authenticator.ts';

/**
 * @example
 *   await client.registerPasskey(browserPasskeyAuthenticator(), 'This laptop');
 *   await client.signInWithPasskey(browserPasskeyAuthenticator(), { label: 'Web', platform: 'web' });
 */
export function browserPasskeyAuthenticator(): PasskeyAuthenticator {
  return {
    // The server's options are WebAuthn's JSON form; only `hints` is typed more loosely in the protocol.
    create: async (options) => await startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON }),
    get: async (options) => await startAuthentication({ optionsJSON: options }),
  };
}
