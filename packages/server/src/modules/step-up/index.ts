/**
 * @module modules/step-up
 *
 * Step-up re-authentication bound to the action (docs/flows/step-up.md). Routes declare
 * `stepUp: { maxAgeSeconds, level }`; the platform's hook asks this module for challenges and
 * to spend answered ones; the routes here let the asked session answer with a code (through the
 * assurance module's `checkSecondFactor`) or a passkey (through the passkeys module). app.ts
 * imports from here only.
 */
export { createStepUpChallenges } from './door.ts';
export { stepUpRoutes } from './routes.ts';
export type { StepUpDeps } from './deps.ts';
