/**
 * @module @portcullis/sdk/passkeys
 *
 * Passkeys: signing in with one, registering, listing, renaming and removing them, finishing a
 * passkey-first sign-up, and the
 * browser authenticator (over `@simplewebauthn/browser`). On iOS and Android, implement
 * `PasskeyAuthenticator` over the platform passkey API.
 *
 * @example
 *   import { browserPasskeyAuthenticator, signInWithPasskey } from '@portcullis/sdk/passkeys';
 *
 *   await signInWithPasskey(client, browserPasskeyAuthenticator(), { label: 'Web', platform: 'web' });
 */
export {
  browserPasskeyAuthenticator,
  cancelPasskeyCeremony,
  passkeyAutofillAvailable,
  type BrowserPasskeyOptions,
} from './browser-passkey-authenticator.ts';
export type { PasskeyAuthenticator } from './passkey-authenticator.ts';
export { listPasskeys, registerPasskey, removePasskey, renamePasskey } from './passkey-management.ts';
export { signInWithPasskey } from './passkey-sign-in.ts';
export { finishPasskeyFirstSignUp, type PasskeyFirstSignUp } from './passkey-first-sign-up.ts';
