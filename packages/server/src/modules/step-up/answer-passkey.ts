/**
 * @module modules/step-up/answer-passkey
 *
 * Answers a step-up challenge with a passkey, in two steps like any WebAuthn ceremony:
 *
 * 1. `passkeyOptions` opens a ceremony on the challenge with a fresh random nonce and hands out
 *    request options whose WebAuthn challenge is SHA-256 over the step-up challenge id, that
 *    nonce and the action digest — so the authenticator signs a commitment to the action
 *    (SPEC: "the WebAuthn challenge commits to a hash of the action").
 * 2. `answerWithPasskey` takes an attempt, closes the ceremony (its WebAuthn challenge is spent
 *    before the signature is checked, so an assertion is good for one try), recomputes the
 *    expected challenge and has the passkeys module verify the assertion (a passkey of this
 *    account, user verification required, counter and clone checks). A verified passkey answers
 *    at `aal2_phr`.
 */
import type { AuthenticationCredential, StepUpPasskeyOptions, StepUpVerification } from '@portcullis/protocol';
import { randomBase64Url, sha256Base64Url } from '../../platform/crypto/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import { openChallenge, refuseAnswer, secondsLeft } from './open-challenge.ts';
import * as repo from './repository.ts';

/** RFC 8176 `hwk` + `user`: a hardware-protected key and a user test (see modules/passkeys/sign-in.ts). */
const PASSKEY_AMR: readonly string[] = ['hwk', 'user'];

/** The WebAuthn challenge of a ceremony: a commitment to the step-up challenge, the nonce and the action. */
export function webAuthnChallengeFor(challengeId: string, nonce: string, actionDigest: string): string {
  return sha256Base64Url(`portcullis-step-up-webauthn/1\u0000${challengeId}\u0000${nonce}\u0000${actionDigest}`);
}

export async function passkeyOptions(deps: StepUpDeps, token: string, context: StepUpContext): Promise<StepUpPasskeyOptions> {
  const challenge = await openChallenge(deps, token, 'passkey', context);
  if (deps.passkeys === null) throw await refuseAnswer(context, 'passkeys_disabled', 'STEP_UP_METHOD_NOT_ALLOWED');
  const nonce = randomBase64Url(32);
  if (!(await repo.openPasskeyCeremony(deps.db, challenge.id, nonce, deps.config.attemptsPerChallenge, deps.clock.now()))) {
    throw await refuseAnswer(context, 'challenge_spent');
  }
  return deps.passkeys.options(context.accountId, webAuthnChallengeFor(challenge.id, nonce, challenge.action_digest));
}

export async function answerWithPasskey(
  deps: StepUpDeps,
  answer: { readonly challenge: string; readonly credential: AuthenticationCredential },
  context: StepUpContext,
): Promise<StepUpVerification> {
  const challenge = await openChallenge(deps, answer.challenge, 'passkey', context);
  if (deps.passkeys === null) throw await refuseAnswer(context, 'passkeys_disabled', 'STEP_UP_METHOD_NOT_ALLOWED');
  if (!(await repo.takeAttempt(deps.db, challenge.id, deps.config.attemptsPerChallenge, deps.clock.now()))) {
    throw await refuseAnswer(context, 'challenge_spent');
  }
  const nonce = challenge.passkey_nonce;
  if (nonce === null || !(await repo.closePasskeyCeremony(deps.db, challenge.id, nonce))) {
    throw await refuseAnswer(context, 'no_passkey_ceremony');
  }
  const { accountId } = context;
  const result = await deps.passkeys.verify(
    { accountId, credential: answer.credential, challenge: webAuthnChallengeFor(challenge.id, nonce, challenge.action_digest) },
    context,
  );
  if (!result.ok) {
    await context.audit('step_up.failed', {
      subject: context.accountId,
      outcome: 'failure',
      detail: `answer_passkey_${result.reason}`.slice(0, 64),
    });
    throw appError('STEP_UP_PASSKEY_FAILED', { detail: `step-up passkey refused: ${result.reason}` });
  }
  const now = deps.clock.now();
  if (!(await repo.markVerified(deps.db, challenge.id, { level: 'aal2_phr', amr: PASSKEY_AMR, now }))) {
    throw await refuseAnswer(context, 'challenge_spent');
  }
  await context.audit('step_up.verified', { subject: context.accountId, detail: 'passkey' });
  return { level: 'aal2_phr', expiresIn: secondsLeft(challenge, now) };
}
