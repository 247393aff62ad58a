/**
 * @module modules/defense
 *
 * Abuse defences that need domain knowledge (which attempt failed, whose account it was). The
 * per-network request limits every public route declares live in platform/rate-limit.
 */
export { createPasswordAttemptGuard } from './password-attempts.ts';
export type { Admission, PasswordAttempt, PasswordAttemptGuard, PasswordFailureLimits, ThrottleScope } from './password-attempts.ts';
export { createAttackMode } from './attack-mode.ts';
export type { AttackMode, AttackModeConfig, AttackModeDeps, AttackModeStatus, SignInOutcome } from './attack-mode.ts';
