/**
 * @module factors/phone
 *
 * A phone for sign-in codes by SMS: adding it (a code is texted to it), texting a new code,
 * confirming it, removing it.
 */
import type { PhoneCodeSent, PhoneConfirmation, PhoneEnrolment } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertUuid } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { parsePhoneCodeSent, parsePhoneConfirmation, parsePhoneEnrolment } from '../http/response-shapes.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';

/**
 * Adds a phone number for sign-in codes by SMS: the server texts it a 6-digit code; confirm
 * with {@link confirmPhoneEnrolment} within 10 minutes. Only for accounts whose roles allow SMS
 * codes; one phone per account. Format the number as E.164 first (`+447700900123`).
 *
 * @throws {InsufficientAuthenticationError} `AUTH_LEVEL_INSUFFICIENT`: the account has a second
 *   factor, so sign in with one of `methods` first.
 * @throws {ApiError} `MFA_METHOD_NOT_ALLOWED` (SMS off, or a staff role), `MFA_PHONE_ALREADY_ENROLLED`,
 *   `RATE_LIMITED`, `MFA_CODE_DELIVERY_FAILED`, `REQUEST_INVALID` (not E.164).
 * @example
 *   const { factorId, phoneNumber } = await startPhoneEnrolment(client, '+447700900123');
 *   showHint(`We texted a code to ${phoneNumber}`);
 */
export async function startPhoneEnrolment(client: CoreClient, phoneNumber: string): Promise<PhoneEnrolment> {
  if (typeof phoneNumber !== 'string') throw new TypeError('startPhoneEnrolment expects a phone number');
  return engineOf(client).authorizedCall('POST', '/v1/mfa/phone', { phoneNumber }, parsePhoneEnrolment);
}

/**
 * Texts a new code to a phone that is being added (the previous code stops working); 30 seconds
 * apart, 5 an hour.
 *
 * @throws {ApiError} `RATE_LIMITED` (`retryAfterSeconds`), `MFA_ENROLMENT_NOT_FOUND` (start again).
 */
export async function resendPhoneCode(client: CoreClient, factorId: string): Promise<PhoneCodeSent> {
  assertUuid(factorId, 'resendPhoneCode expects a factor id');
  return engineOf(client).authorizedCall('POST', `/v1/mfa/phone/${factorId}/resend`, undefined, parsePhoneCodeSent);
}

/**
 * Confirms a phone with the code texted to it. The first time the account gets a factor, the
 * answer carries its recovery codes: show them once. The server then signs out the account's
 * other sessions.
 *
 * @throws {ApiError} `MFA_PHONE_CODE_INVALID`, `MFA_ENROLMENT_NOT_FOUND`.
 * @example
 *   const { recoveryCodes } = await confirmPhoneEnrolment(client, factorId, code);
 */
export async function confirmPhoneEnrolment(client: CoreClient, factorId: string, code: string): Promise<PhoneConfirmation> {
  assertUuid(factorId, 'confirmPhoneEnrolment expects a factor id');
  return engineOf(client).authorizedCall('POST', `/v1/mfa/phone/${factorId}/confirm`, { code }, parsePhoneConfirmation);
}

/**
 * Removes the phone. This needs a fresh confirmation with another factor (a step-up): `prompt`
 * is asked for it when the server requires one. Codes already sent stop working and the
 * account's other sessions are signed out.
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`, `MFA_FACTOR_NOT_FOUND`, and
 *   the errors of `verifyStepUp`.
 * @example
 *   await removePhone(client, phone.id, async (challenge) => ({ method: 'recovery_code', code: await askForRecoveryCode() }));
 */
export async function removePhone(client: CoreClient, factorId: string, prompt: StepUpPrompt): Promise<void> {
  assertUuid(factorId, 'removePhone expects a factor id');
  await callWithStepUp(client, { method: 'DELETE', path: `/v1/mfa/phone/${factorId}` }, prompt, () => true);
}
