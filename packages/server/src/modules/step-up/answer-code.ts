/**
 * @module modules/step-up/answer-code
 *
 * Answers a step-up challenge with an authenticator-app code or a recovery code. The order
 * matters: the challenge is opened (ours, this session, a method it offers), then one of its
 * attempts is taken by a conditional update (so a burst of guesses cannot exceed
 * `mfa.attemptsPerChallenge`), then the code goes through `checkSecondFactor` — the assurance
 * module's one door, which owns the account-wide budget and lockout — and only then is the
 * challenge marked answered at `aal2`.
 */
import type { StepUpVerification } from '@portcullis/protocol';
import { checkSecondFactor, type CodeMethod } from '../assurance/index.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import { openChallenge, refuseAnswer, secondsLeft } from './open-challenge.ts';
import * as repo from './repository.ts';

export interface CodeAnswer {
  readonly challenge: string;
  readonly method: CodeMethod;
  readonly code: string;
}

export async function answerWithCode(deps: StepUpDeps, answer: CodeAnswer, context: StepUpContext): Promise<StepUpVerification> {
  const challenge = await openChallenge(deps, answer.challenge, answer.method, context);
  if (!(await repo.takeAttempt(deps.db, challenge.id, deps.config.attemptsPerChallenge, deps.clock.now()))) {
    throw await refuseAnswer(context, 'challenge_spent');
  }
  const { accountId } = context;
  const result = await checkSecondFactor(deps.assurance, { accountId, method: answer.method, code: answer.code }, context);
  if (!result.ok) {
    await context.audit('step_up.failed', {
      subject: context.accountId,
      outcome: 'failure',
      detail: result.error.code === 'MFA_LOCKED' ? 'answer_factor_locked' : 'answer_code_invalid',
    });
    throw result.error;
  }
  const now = deps.clock.now();
  if (!(await repo.markVerified(deps.db, challenge.id, { level: 'aal2', amr: [result.amr], now }))) {
    throw await refuseAnswer(context, 'challenge_spent');
  }
  await context.audit('step_up.verified', { subject: context.accountId, detail: answer.method });
  return { level: 'aal2', expiresIn: secondsLeft(challenge, now) };
}
