/**
 * @module modules/step-up/redeem
 *
 * Spends an answered step-up challenge for the request that presents it. The checks, in order
 * (each refusal is audited as `step_up.failed` with reason `use_<check>`):
 *
 * | step | check | reason |
 * | --- | --- | --- |
 * | 1 | the token is ours: the id finds the challenge, the secret matches (constant time) | `unknown_challenge` |
 * | 2 | the presenting session is the one that was asked (and so the same account) | `other_session` |
 * | 3 | the challenge was answered | `not_verified` |
 * | 4 | it has not expired | `expired` |
 * | 5 | the answer reached the level the route needs (a code never satisfies `aal2_phr`) | `level_too_low` |
 * | 6 | it was issued for exactly this action: method, path, query and body (constant time) | `action_mismatch` |
 * | 7 | it is spent now by one conditional update: of concurrent or repeated uses one wins | `already_used` |
 *
 * Checks 1–6 leave the challenge as it was, so presenting a token with the wrong request does
 * not cost its owner the step-up they made; step 7 makes every token good for one request.
 */
import { constantTimeEqual } from '../../platform/crypto/index.ts';
import type { StepUpChallengesTable } from '../../platform/db/schema.ts';
import { meetsAssuranceLevel } from '../../platform/routes/authentication.ts';
import { ASSURANCE_LEVELS, type AssuranceLevel } from '../../platform/routes/contract.ts';
import type { StepUpAction } from '../../platform/routes/step-up.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import * as repo from './repository.ts';
import { parseStepUpToken, stepUpSecretMatches } from './token.ts';

type Refusal = 'unknown_challenge' | 'other_session' | 'not_verified' | 'expired' | 'level_too_low' | 'action_mismatch' | 'already_used';

function isLevel(value: string | null): value is AssuranceLevel {
  return value !== null && (ASSURANCE_LEVELS as readonly string[]).includes(value);
}

/** Steps 3–6 on a challenge that is ours and this session's; undefined when it may be spent. */
function checkAnswered(challenge: StepUpChallengesTable, action: StepUpAction, now: number): Refusal | undefined {
  if (challenge.verified_at === null) return 'not_verified';
  if (challenge.expires_at <= now) return 'expired';
  if (!isLevel(challenge.verified_level) || !meetsAssuranceLevel(challenge.verified_level, action.level)) return 'level_too_low';
  if (!constantTimeEqual(challenge.action_digest, action.digest)) return 'action_mismatch';
  return undefined;
}

async function findOwn(deps: StepUpDeps, token: string, action: StepUpAction): Promise<StepUpChallengesTable | Refusal> {
  const parsed = parseStepUpToken(token);
  const challenge = parsed ? await repo.findChallenge(deps.db, parsed.id) : undefined;
  if (!parsed || !challenge || !stepUpSecretMatches(deps.keyRing, parsed.secret, challenge.secret_hash)) return 'unknown_challenge';
  if (challenge.session_id !== action.principal.sessionId) return 'other_session';
  return challenge;
}

/** Steps 1–7; undefined when this call spent the challenge. */
async function spend(deps: StepUpDeps, token: string, action: StepUpAction): Promise<Refusal | undefined> {
  const found = await findOwn(deps, token, action);
  if (typeof found === 'string') return found;
  const now = deps.clock.now();
  const refusal = checkAnswered(found, action, now);
  if (refusal !== undefined) return refusal;
  return (await repo.markUsed(deps.db, found.id, now)) ? undefined : 'already_used';
}

/** Spends `token` for `action`; true when this request may proceed. Audited either way. */
export async function redeemStepUp(deps: StepUpDeps, token: string, action: StepUpAction, context: StepUpContext): Promise<boolean> {
  const refusal = await spend(deps, token, action);
  if (refusal !== undefined) {
    await context.audit('step_up.failed', { subject: context.accountId, outcome: 'failure', detail: `use_${refusal}` });
    return false;
  }
  await context.audit('step_up.used', { subject: context.accountId, detail: action.level });
  return true;
}
