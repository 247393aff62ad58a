/**
 * @module modules/mfa
 *
 * Second factors: TOTP authenticator apps, recovery codes, and one-time codes sent by email or
 * SMS (to a phone number the person added and confirmed). Other modules import from here only.
 * The routes serve the signed-in person; the functions below are the building blocks of the
 * sign-in challenge and step-up, which own attempt limits, session levels and which methods a
 * role may use.
 */
export { mfaRoutes } from './routes.ts';
export type { MfaRouteDeps } from './routes.ts';
export type { EnrolmentDeps, MfaDeps, OutOfBandDeps } from './deps.ts';
export { hasSecondFactor, listFactors } from './factors.ts';
export { verifyTotp } from './totp-verification.ts';
export type { TotpFailureReason, TotpVerification } from './totp-verification.ts';
export { verifyRecoveryCode } from './recovery-codes.ts';
export type { RecoveryCodeFailureReason, RecoveryCodeVerification } from './recovery-codes.ts';
export { phoneRoutes } from './phone-routes.ts';
export type { PhoneRouteDeps } from './phone-routes.ts';
export { sendSignInCode, verifySignInCode } from './sign-in-codes.ts';
export type { CodeChannel, SignInCodeVerification } from './sign-in-codes.ts';
export type { SentCodeFailureReason } from './sent-codes.ts';
export { forgetFactorsOf } from './held.ts';
export type { FactorsForgotten } from './held.ts';
