/**
 * @module accounts/passkey-first
 *
 * Passkey-first sign-up: an email address, the emailed code, a passkey — no password
 * (docs/flows/passkey-first-sign-up.md). `signUp(client, { email })` starts it; this confirms
 * the code on this device and opens the session that can only register a passkey.
 */
import type { Device } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import type { SessionInfo } from '../core/session-info.ts';

export interface PasskeyFirstConfirmation {
  readonly email: string;
  /** The code from the confirmation email. */
  readonly code: string;
  /** This device, as the session list will show it. */
  readonly device: Device;
}

/**
 * Confirms a passkey-first sign-up with the emailed code and opens, on this device (bound to its
 * DPoP key), a session that can only register a passkey (`registerPasskey`), read the account and
 * sign out. Every other call answers `MFA_ENROLMENT_REQUIRED` until the person signs in with the
 * passkey.
 *
 * @throws {ApiError} `VERIFICATION_CODE_INVALID` when the code is wrong, used or expired.
 * @throws {ClientError} when the server opens no session: the account already has a way in (a
 *   password, a passkey, a provider), and its address is merely confirmed.
 * @example
 *   await signUp(client, { email: 'ada@example.com' });
 *   await confirmPasskeyFirstSignUp(client, { email: 'ada@example.com', code: await askForCode(), device });
 *   await registerPasskey(client, browserPasskeyAuthenticator(), 'This laptop');
 */
export async function confirmPasskeyFirstSignUp(client: CoreClient, input: PasskeyFirstConfirmation): Promise<SessionInfo> {
  assertInput(input, 'confirmPasskeyFirstSignUp');
  const engine = engineOf(client);
  const ticket = engine.beginSignIn();
  const key = await engine.keyForSignIn();
  const { email, code, device } = input;
  return engine.signInWithTokens(ticket, '/v1/accounts/verify-email', { email, code, device }, key);
}
