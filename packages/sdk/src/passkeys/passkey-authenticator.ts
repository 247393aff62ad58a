/**
 * @module passkeys/passkey-authenticator
 *
 * The seam between the SDK and whatever holds the person's passkeys. In a browser that is
 * WebAuthn (`browserPasskeyAuthenticator`, built on @simplewebauthn/browser); in a native app it
 * is the platform API — iOS `ASAuthorizationPlatformPublicKeyCredentialProvider`, Android
 * Credential Manager — wrapped by the app in this interface. Both methods take the server's
 * options as JSON and return `PublicKeyCredential.toJSON()`-shaped JSON; the SDK never sees a key.
 */
import type { AuthenticationCredential, PasskeyCreationOptions, PasskeyRequestOptions, RegistrationCredential } from '@portcullis/protocol';

export interface PasskeyAuthenticator {
  /** `navigator.credentials.create()` with these options: a new discoverable credential. */
  create(options: PasskeyCreationOptions): Promise<RegistrationCredential>;
  /** `navigator.credentials.get()` with these options: an assertion with user verification. */
  get(options: PasskeyRequestOptions): Promise<AuthenticationCredential>;
}
