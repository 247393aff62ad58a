/**
 * @module modules/mfa
 *
 * Second factors: TOTP authenticator apps and recovery codes. Other modules import from here
 * only. The routes serve the signed-in person; the functions below are the building blocks of
 * the sign-in challenge and step-up, which own attempt limits and session levels.
 */
export { mfaRoutes } from './routes.ts';
export type { MfaRouteDeps } from './routes.ts';
export type { AuditContext, MfaDeps } from './deps.ts';
export { hasSecondFactor, listFactors } from './factors.ts';
export { verifyTotp } from './totp-verification.ts';
export type { TotpFailureReason, TotpVerification } from './totp-verification.ts';
export { verifyRecoveryCode } from './recovery-codes.ts';
export type { RecoveryCodeFailureReason, RecoveryCodeVerification } from './recovery-codes.ts';
