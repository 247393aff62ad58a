/**
 * @module @portcullis/sdk/factors
 *
 * Second factors: authenticator apps (TOTP), a phone for SMS codes, recovery codes, and the
 * list of them. Removing a factor or replacing the recovery codes needs a step-up: those
 * functions take a `prompt` (see `@portcullis/sdk/step-up`).
 *
 * @example
 *   import { confirmTotpEnrolment, startTotpEnrolment } from '@portcullis/sdk/factors';
 *
 *   const enrolment = await startTotpEnrolment(client, 'My phone');
 *   const { recoveryCodes } = await confirmTotpEnrolment(client, enrolment.factorId, await askForCode());
 */
export { listFactors } from './factor-list.ts';
export { confirmPhoneEnrolment, removePhone, resendPhoneCode, startPhoneEnrolment } from './phone.ts';
export { getRecoveryCodeStatus, regenerateRecoveryCodes } from './recovery-codes.ts';
export { confirmTotpEnrolment, removeTotp, startTotpEnrolment } from './totp.ts';
