/**
 * @module modules/step-up/open-challenge
 *
 * The checks every answer to a step-up challenge starts with, in order: the token is ours (the
 * id finds the row, the secret matches in constant time), the answering session is the one
 * that was asked, and the method is one the challenge offered. A refusal is audited as
 * `step_up.failed` and answered with a coarse code; which check failed is in the audit reason.
 */
import type { StepUpChallengesTable } from '../../platform/db/schema.ts';
import { appError, type AppError } from '../../platform/errors/app-error.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import type { StepUpMethod } from './issue.ts';
import * as repo from './repository.ts';
import { parseStepUpToken, stepUpSecretMatches } from './token.ts';

/** Audits a refused answer and returns the error to throw. */
export async function refuseAnswer(
  context: StepUpContext,
  reason: string,
  code: 'STEP_UP_CHALLENGE_INVALID' | 'STEP_UP_METHOD_NOT_ALLOWED' = 'STEP_UP_CHALLENGE_INVALID',
): Promise<AppError> {
  await context.audit('step_up.failed', { subject: context.accountId, outcome: 'failure', detail: `answer_${reason}` });
  return appError(code, { detail: `step-up answer refused: ${reason}` });
}

function offers(challenge: StepUpChallengesTable, method: StepUpMethod): boolean {
  try {
    const methods = JSON.parse(challenge.methods) as unknown;
    return Array.isArray(methods) && methods.includes(method);
  } catch {
    return false;
  }
}

/** The challenge `token` names, if this session may answer it with `method`; throws otherwise. */
export async function openChallenge(
  deps: StepUpDeps,
  token: string,
  method: StepUpMethod,
  context: StepUpContext,
): Promise<StepUpChallengesTable> {
  const parsed = parseStepUpToken(token);
  const challenge = parsed ? await repo.findChallenge(deps.db, parsed.id) : undefined;
  if (!parsed || !challenge || !stepUpSecretMatches(deps.keyRing, parsed.secret, challenge.secret_hash)) {
    throw await refuseAnswer(context, 'unknown_challenge');
  }
  // Only the session that was asked may answer: a challenge copied to another session (or
  // account) is worth nothing there.
  if (challenge.session_id !== context.sessionId) throw await refuseAnswer(context, 'other_session');
  // A passkey-only challenge (aal2_phr) cannot be answered with a code, nor any challenge with a
  // factor it did not offer.
  if (!offers(challenge, method)) throw await refuseAnswer(context, 'method_not_allowed', 'STEP_UP_METHOD_NOT_ALLOWED');
  return challenge;
}

/** Seconds left to use an answered challenge. */
export function secondsLeft(challenge: Pick<StepUpChallengesTable, 'expires_at'>, now: number): number {
  return Math.max(0, Math.floor((challenge.expires_at - now) / 1000));
}
