/**
 * @module step-up/step-up
 *
 * Confirming it is you for one action. A route that needs a fresh authentication answers
 * `401 STEP_UP_REQUIRED` with a challenge; the person answers it (a code or a passkey), and the
 * client repeats the very same request with the challenge token in the `Portcullis-Step-Up`
 * header (the token is bound to that method, URL and body, and works once).
 */
import type { StepUpVerification } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput, jsonInit } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import type { ParseBody } from '../core/transport.ts';
import { discardBody } from '../http/read-json.ts';
import { STEP_UP_HEADER } from '../lib/wire-constants.ts';
import type { StepUpAnswer, StepUpPrompt } from './is-step-up-required.ts';
import { parseStepUpPasskeyOptions, parseStepUpVerification, stepUpChallengeOf } from './step-up-responses.ts';

/**
 * Answers a `STEP_UP_REQUIRED` challenge with a code or a passkey. Then repeat the original
 * request, unchanged, with the token in the `Portcullis-Step-Up` header — or let
 * {@link fetchWithStepUp} do both.
 *
 * @param challenge `error.challenge.token` of the `STEP_UP_REQUIRED` problem.
 * @throws {ApiError} `MFA_CODE_INVALID` (wrong code; the challenge stays usable until its attempts
 *   run out), `MFA_LOCKED`, `STEP_UP_CHALLENGE_INVALID`, `STEP_UP_METHOD_NOT_ALLOWED`, `STEP_UP_PASSKEY_FAILED`.
 * @example
 *   await verifyStepUp(client, error.challenge.token, { method: 'totp', code: '492039' });
 */
export async function verifyStepUp(client: CoreClient, challenge: string, answer: StepUpAnswer): Promise<StepUpVerification> {
  if (typeof challenge !== 'string') throw new TypeError('verifyStepUp expects the challenge token');
  assertInput(answer, 'verifyStepUp');
  const engine = engineOf(client);
  if (answer.method === 'passkey') {
    const options = await engine.authorizedCall('POST', '/v1/step-up/passkey/options', { challenge }, parseStepUpPasskeyOptions);
    const credential = await answer.authenticator.get(options);
    return engine.authorizedCall('POST', '/v1/step-up/passkey/verify', { challenge, credential }, parseStepUpVerification);
  }
  const body = { challenge, method: answer.method, code: answer.code };
  return engine.authorizedCall('POST', '/v1/step-up/verify', body, parseStepUpVerification);
}

/**
 * `client.fetch` for actions that may need a step-up (removing a factor, replacing recovery
 * codes, …). When the server answers `401 STEP_UP_REQUIRED`, asks `prompt` for an answer,
 * verifies it, and sends the very same request again with the token in `Portcullis-Step-Up`.
 * Resolves with the final `Response`; with the `401` itself when `prompt` resolves `null`.
 *
 * @param prompt Shows the person `challenge.methods` and resolves with their answer, or `null`.
 * @throws {ApiError} From {@link verifyStepUp} when the answer is refused (e.g. `MFA_CODE_INVALID`).
 * @example
 *   const response = await fetchWithStepUp(client, '/v1/mfa/recovery-codes', { method: 'POST' }, async (challenge) =>
 *     challenge.methods.includes('totp') ? { method: 'totp', code: await askForCode() } : null,
 *   );
 */
export async function fetchWithStepUp(client: CoreClient, input: string | URL, init: RequestInit, prompt: StepUpPrompt): Promise<Response> {
  if (typeof prompt !== 'function') throw new TypeError('fetchWithStepUp expects a prompt function');
  if (new Headers(init.headers).has(STEP_UP_HEADER)) throw new TypeError('fetchWithStepUp sets the Portcullis-Step-Up header itself');
  const response = await client.fetch(input, init);
  const challenge = await stepUpChallengeOf(response);
  if (challenge === undefined) return response;
  const answer = await prompt(challenge);
  if (answer === null) return response;
  await discardBody(response);
  await verifyStepUp(client, challenge.token, answer);
  const headers = new Headers(init.headers);
  headers.set(STEP_UP_HEADER, challenge.token);
  return client.fetch(input, { ...init, headers });
}

/**
 * A JSON call to a route that may need a step-up: {@link fetchWithStepUp}, then the parsed
 * answer or the error it stands for (`STEP_UP_REQUIRED` when `prompt` resolves `null`). Internal.
 */
export async function callWithStepUp<T>(
  client: CoreClient,
  request: { readonly method: string; readonly path: string; readonly body?: unknown },
  prompt: StepUpPrompt,
  parse: ParseBody<T>,
): Promise<T> {
  const response = await fetchWithStepUp(client, request.path, jsonInit(request.method, request.body), prompt);
  return engineOf(client).transport.result(response, `${request.method} ${request.path}`, parse);
}
