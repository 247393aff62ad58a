/**
 * @module factors/recovery-codes
 *
 * Recovery codes: how many remain, and replacing the set (every earlier code stops working).
 * The first set comes with the first confirmed factor.
 */
import type { RecoveryCodes, RecoveryCodeStatus } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseRecoveryCodes, parseRecoveryCodeStatus } from '../http/response-shapes.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';

/**
 * How many recovery codes remain (never the codes). Suggest a new set before `remaining` reaches 0.
 *
 * @example
 *   const { remaining } = await getRecoveryCodeStatus(client);
 */
export async function getRecoveryCodeStatus(client: CoreClient): Promise<RecoveryCodeStatus> {
  return engineOf(client).authorizedCall('GET', '/v1/mfa/recovery-codes', undefined, parseRecoveryCodeStatus);
}

/**
 * Replaces the recovery codes with a new set: show the codes once. Needs a step-up (`prompt`),
 * since it changes how the account is recovered; other sessions are signed out.
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 * @example
 *   const { codes } = await regenerateRecoveryCodes(client, async () => ({ method: 'totp', code: await askForCode() }));
 */
export async function regenerateRecoveryCodes(client: CoreClient, prompt: StepUpPrompt): Promise<RecoveryCodes> {
  return callWithStepUp(client, { method: 'POST', path: '/v1/mfa/recovery-codes' }, prompt, parseRecoveryCodes);
}
