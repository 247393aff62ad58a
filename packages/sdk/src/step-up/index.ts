/**
 * @module @portcullis/sdk/step-up
 *
 * Confirming it is you for one action: recognising `STEP_UP_REQUIRED`, answering the challenge
 * with a code or a passkey, and repeating the request with the step-up token.
 *
 * @example
 *   import { fetchWithStepUp } from '@portcullis/sdk/step-up';
 *
 *   const response = await fetchWithStepUp(client, '/v1/mfa/recovery-codes', { method: 'POST' }, async (challenge) =>
 *     challenge.methods.includes('totp') ? { method: 'totp', code: await askForCode() } : null,
 *   );
 */
export { isStepUpRequired } from './is-step-up-required.ts';
export type { StepUpAnswer, StepUpPrompt } from './is-step-up-required.ts';
export { fetchWithStepUp, verifyStepUp } from './step-up.ts';
