/**
 * @module passkeys/passkey-first-sign-up
 *
 * The end of a passkey-first sign-up in one call: confirm the emailed code on this device,
 * register a passkey in the session that opens, and sign in with it for a full session.
 */
import type { Passkey } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import type { SessionInfo } from '../core/session-info.ts';
import { confirmPasskeyFirstSignUp, type PasskeyFirstConfirmation } from '../accounts/passkey-first.ts';
import { signOut } from '../sessions/sign-out.ts';
import type { PasskeyAuthenticator } from './passkey-authenticator.ts';
import { registerPasskey } from './passkey-management.ts';
import { signInWithPasskey } from './passkey-sign-in.ts';

export interface PasskeyFirstSignUp extends PasskeyFirstConfirmation {
  /** Shown in the passkey list, e.g. "iPhone". */
  readonly passkeyName: string;
}

/**
 * Finishes a passkey-first sign-up started with `signUp(client, { email })`: confirms the code
 * (a session that can only register a passkey), registers a passkey, ends that session and signs
 * in with the new passkey (`aal2_phr`). The authenticator is asked twice: to create the passkey,
 * then to use it.
 *
 * @throws {ApiError} `VERIFICATION_CODE_INVALID`; errors of `registerPasskey` and
 *   `signInWithPasskey`. If the last step fails, the passkey is registered: sign in with it.
 * @example
 *   await signUp(client, { email: 'ada@example.com' });
 *   const { session } = await finishPasskeyFirstSignUp(client, browserPasskeyAuthenticator(), {
 *     email: 'ada@example.com',
 *     code: await askForCode(),
 *     device: { label: 'Web', platform: 'web' },
 *     passkeyName: 'This laptop',
 *   });
 */
export async function finishPasskeyFirstSignUp(
  client: CoreClient,
  authenticator: PasskeyAuthenticator,
  input: PasskeyFirstSignUp,
): Promise<{ passkey: Passkey; session: SessionInfo }> {
  const { passkeyName, ...confirmation } = input;
  await confirmPasskeyFirstSignUp(client, confirmation);
  const passkey = await registerPasskey(client, authenticator, passkeyName);
  // The enrolment session has done its one job; the passkey now opens a full one.
  await signOut(client);
  const session = await signInWithPasskey(client, authenticator, input.device);
  return { passkey, session };
}
