/**
 * @module passkeys/passkey-sign-in
 *
 * Signing in with a passkey: no email, no password, phishing-resistant (`aal2_phr`).
 */
import type { Device } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import type { SessionInfo } from '../core/session-info.ts';
import { parsePasskeyRequestOptions } from '../http/response-shapes.ts';
import type { PasskeyAuthenticator } from './passkey-authenticator.ts';

/**
 * Signs in with a passkey. The authenticator shows the person's passkeys for this site or app
 * and verifies them (biometrics or device PIN); the assertion travels with a DPoP proof, so the
 * session is bound to this device's key like any other.
 *
 * @param authenticator `browserPasskeyAuthenticator()` on the web; the app's adapter over the
 *   platform passkey API on iOS and Android.
 * @throws {ApiError} `PASSKEY_SIGN_IN_FAILED` (unknown, suspended or invalid passkey — one code on purpose).
 * @example
 *   await signInWithPasskey(client, browserPasskeyAuthenticator(), { label: 'Web', platform: 'web' });
 */
export async function signInWithPasskey(client: CoreClient, authenticator: PasskeyAuthenticator, device: Device): Promise<SessionInfo> {
  const engine = engineOf(client);
  const ticket = engine.beginSignIn();
  const options = await engine.publicCall('POST', '/v1/passkeys/sign-in/options', {}, parsePasskeyRequestOptions);
  const credential = await authenticator.get(options);
  const key = await engine.keyForSignIn();
  return engine.signInWithTokens(ticket, '/v1/passkeys/sign-in', { credential, device }, key);
}
