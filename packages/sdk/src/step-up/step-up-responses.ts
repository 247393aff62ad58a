/**
 * @module step-up/step-up-responses
 *
 * Recognises a `401 STEP_UP_REQUIRED` answer and checks the shapes of the step-up routes'
 * answers. Reads a clone of the body, so the original response stays readable. Internal.
 */
import type { AuthChallenge, StepUpPasskeyOptions, StepUpVerification } from '@portcullis/protocol';
import { errorFromResponse } from '../http/error-from-response.ts';
import { isJsonResponse, isRecord } from '../http/read-json.ts';
import { isStepUpRequired } from './is-step-up-required.ts';

/** The challenge of a `401 STEP_UP_REQUIRED` answer, or undefined for any other response. */
export async function stepUpChallengeOf(response: Response): Promise<AuthChallenge | undefined> {
  // Only a JSON 401 can be one; nothing else is cloned (cancelling one branch of a cloned body
  // waits for the other, so a clone is made only when it will be read to the end).
  if (response.status !== 401 || !isJsonResponse(response)) return undefined;
  const error = await errorFromResponse(response.clone(), 'step-up check');
  return isStepUpRequired(error) ? error.challenge : undefined;
}

export function parseStepUpVerification(value: unknown): StepUpVerification | undefined {
  if (!isRecord(value) || (value['level'] !== 'aal2' && value['level'] !== 'aal2_phr')) return undefined;
  const { expiresIn } = value;
  return typeof expiresIn === 'number' && Number.isSafeInteger(expiresIn) && expiresIn >= 0
    ? { level: value['level'], expiresIn }
    : undefined;
}

export function parseStepUpPasskeyOptions(value: unknown): StepUpPasskeyOptions | undefined {
  if (!isRecord(value) || typeof value['challenge'] !== 'string' || value['challenge'] === '' || typeof value['rpId'] !== 'string') {
    return undefined;
  }
  // The server always demands user verification; anything else is not a Portcullis server.
  if (value['userVerification'] !== 'required' || !Array.isArray(value['allowCredentials'])) return undefined;
  return value as StepUpPasskeyOptions;
}
