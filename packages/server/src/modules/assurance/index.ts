/**
 * @module modules/assurance
 *
 * Assurance levels: the role policy, the sign-in state machine between the first factor and the
 * second (`MFA_REQUIRED`), restricted sessions for people who must still enrol a factor, and the
 * one door for checking second-factor codes with an account-wide attempt budget. Other modules
 * import from here only.
 */
export { assuranceRoutes } from './routes.ts';
export type { AssuranceRouteDeps } from './routes.ts';
export type { AssuranceDeps } from './deps.ts';
export { completeFirstFactor, passwordHasSecondFactor } from './sign-in.ts';
export type { FirstFactor } from './sign-in.ts';
export { checkSecondFactor } from './second-factor.ts';
export type { CodeMethod, OutOfBandCodeMethod, SecondFactorInput, SecondFactorResult } from './second-factor.ts';
export { outOfBandCodesAllowed, requiredLevelFor } from './policy.ts';
export { levelShortfall } from './level-shortfall.ts';
export { factorInventory } from './repository.ts';
