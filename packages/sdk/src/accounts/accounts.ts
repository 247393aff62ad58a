/**
 * @module accounts/accounts
 *
 * The account itself: signing up and confirming the email address, resetting a forgotten
 * password (public routes), and reading the account and changing its password (signed in).
 */
import type {
  Accepted,
  Account,
  ChangePasswordRequest,
  PasswordResetConfirm,
  PasswordResetRequest,
  SignUpRequest,
  VerifyEmailRequest,
} from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseAccepted, parseAccount } from '../http/response-shapes.ts';

/**
 * Starts sign-up. The answer is the same whether or not the address already has an account;
 * the outcome (a verification code, or a notice) arrives by email.
 *
 * @example
 *   await signUp(client, { email: 'ada@example.com', password });
 *   // then ask for the code from the email and call verifyEmail
 */
export async function signUp(client: CoreClient, input: SignUpRequest): Promise<Accepted> {
  assertInput(input, 'signUp');
  return engineOf(client).publicCall('POST', '/v1/accounts', input, parseAccepted);
}

/**
 * Confirms the email address with the code that was sent to it. With `device`, the request is
 * signed with this device's DPoP key (created and stored if there is none yet), which makes it a
 * device the account has used: its first password sign-in then asks for no new-device code. For
 * an account created without a password, use `confirmPasskeyFirstSignUp` instead.
 *
 * @throws {ApiError} `VERIFICATION_CODE_INVALID` when the code is wrong, used or expired.
 * @example
 *   const account = await verifyEmail(client, {
 *     email: 'ada@example.com',
 *     code: '123456',
 *     device: { label: 'Ada’s phone', platform: 'ios' },
 *   });
 */
export async function verifyEmail(client: CoreClient, input: VerifyEmailRequest): Promise<Account> {
  assertInput(input, 'verifyEmail');
  const engine = engineOf(client);
  const key = input.device === undefined ? undefined : await engine.keyForSignIn();
  return engine.publicCall('POST', '/v1/accounts/verify-email', input, parseAccount, key);
}

/**
 * Asks for a password-reset code by email. Answers the same for unknown addresses.
 *
 * @example
 *   await requestPasswordReset(client, { email: 'ada@example.com' });
 */
export async function requestPasswordReset(client: CoreClient, input: PasswordResetRequest): Promise<Accepted> {
  assertInput(input, 'requestPasswordReset');
  return engineOf(client).publicCall('POST', '/v1/accounts/password-reset', input, parseAccepted);
}

/**
 * Sets a new password with the code from the reset email. Sign in afterwards.
 *
 * @throws {ApiError} `VERIFICATION_CODE_INVALID`, `PASSWORD_POLICY_VIOLATION` (see `issues`).
 * @example
 *   await confirmPasswordReset(client, { email: 'ada@example.com', code: '123456', newPassword });
 */
export async function confirmPasswordReset(client: CoreClient, input: PasswordResetConfirm): Promise<void> {
  assertInput(input, 'confirmPasswordReset');
  await engineOf(client).publicCall('POST', '/v1/accounts/password-reset/confirm', input, () => true);
}

/**
 * The signed-in account.
 *
 * @throws {ClientError} `NOT_SIGNED_IN` when there is no session.
 * @example
 *   const { email, emailVerified } = await getAccount(client);
 */
export async function getAccount(client: CoreClient): Promise<Account> {
  return engineOf(client).authorizedCall('GET', '/v1/accounts/me', undefined, parseAccount);
}

/**
 * Changes the password of the signed-in account.
 *
 * @throws {ApiError} `AUTH_INVALID_CREDENTIALS` for a wrong current password; `PASSWORD_POLICY_VIOLATION`.
 * @example
 *   await changePassword(client, { currentPassword, newPassword });
 */
export async function changePassword(client: CoreClient, input: ChangePasswordRequest): Promise<void> {
  assertInput(input, 'changePassword');
  await engineOf(client).authorizedCall('POST', '/v1/accounts/password', input, () => true);
}
