/**
 * @module factors/totp
 *
 * Authenticator apps (TOTP, RFC 6238): adding one, confirming it with its first code, removing it.
 */
import type { TotpConfirmation, TotpEnrolment } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertUuid } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseTotpConfirmation, parseTotpEnrolment } from '../http/response-shapes.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';

/**
 * Starts adding an authenticator app: the answer holds the `otpauth://` URI (hand it to an app
 * on this device), an SVG QR code (to scan from another device) and the secret (to type in).
 * Show them once; confirm with {@link confirmTotpEnrolment} before `expiresAt`.
 *
 * @throws {InsufficientAuthenticationError} `AUTH_LEVEL_INSUFFICIENT`: the account has a second
 *   factor, so sign in with one of `methods` first.
 * @example
 *   const enrolment = await startTotpEnrolment(client, 'My phone');
 *   showQrCode(enrolment.qrCodeSvg);
 */
export async function startTotpEnrolment(client: CoreClient, label?: string): Promise<TotpEnrolment> {
  return engineOf(client).authorizedCall('POST', '/v1/mfa/totp', label === undefined ? {} : { label }, parseTotpEnrolment);
}

/**
 * Confirms an authenticator app with its first code. The first time, the answer carries the
 * account's recovery codes: show them once and ask the person to keep them safe. The server
 * then signs out the account's other sessions.
 *
 * @throws {ApiError} `MFA_TOTP_CODE_INVALID`, `MFA_ENROLMENT_NOT_FOUND`.
 * @example
 *   const { recoveryCodes } = await confirmTotpEnrolment(client, enrolment.factorId, code);
 */
export async function confirmTotpEnrolment(client: CoreClient, factorId: string, code: string): Promise<TotpConfirmation> {
  assertUuid(factorId, 'confirmTotpEnrolment expects a factor id');
  return engineOf(client).authorizedCall('POST', `/v1/mfa/totp/${factorId}/confirm`, { code }, parseTotpConfirmation);
}

/**
 * Removes an authenticator app. This needs a fresh confirmation with a second factor (a
 * step-up): `prompt` is asked for it when the server requires one. The account's other
 * sessions are signed out.
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`, `MFA_FACTOR_NOT_FOUND`.
 * @example
 *   await removeTotp(client, factor.id, async () => ({ method: 'totp', code: await askForCode() }));
 */
export async function removeTotp(client: CoreClient, factorId: string, prompt: StepUpPrompt): Promise<void> {
  assertUuid(factorId, 'removeTotp expects a factor id');
  await callWithStepUp(client, { method: 'DELETE', path: `/v1/mfa/totp/${factorId}` }, prompt, () => true);
}
