/**
 * @module modules/step-up/issue
 *
 * Issues a step-up challenge for one request of one session. The methods offered follow the
 * level the route needs and the factors the account has: `aal2_phr` only a passkey (user
 * verification makes it phishing-resistant multi-factor); `aal2` an authenticator app, a
 * recovery code or a passkey. An account with none gets `STEP_UP_UNAVAILABLE` instead of a
 * challenge nobody could answer.
 */
import type { AuthChallenge } from '@portcullis/protocol';
import { appError } from '../../platform/errors/app-error.ts';
import type { StepUpAction } from '../../platform/routes/step-up.ts';
import { factorInventory } from '../assurance/index.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import * as repo from './repository.ts';
import { formatStepUpToken, hashStepUpSecret, newStepUpToken } from './token.ts';

export type StepUpMethod = AuthChallenge['methods'][number];

export function methodsFor(
  level: StepUpAction['level'],
  factors: { readonly totp: boolean; readonly recoveryCodes: boolean; readonly passkey: boolean },
): StepUpMethod[] {
  if (level === 'aal2_phr') return factors.passkey ? ['passkey'] : [];
  const methods: StepUpMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.recoveryCodes) methods.push('recovery_code');
  if (factors.passkey) methods.push('passkey');
  return methods;
}

export async function issueStepUpChallenge(deps: StepUpDeps, action: StepUpAction, context: StepUpContext): Promise<AuthChallenge> {
  const factors = await factorInventory(deps.db, action.principal.accountId);
  const methods = methodsFor(action.level, { ...factors, passkey: factors.passkey && deps.passkeys !== null });
  if (methods.length === 0) {
    await context.audit('step_up.failed', { subject: context.accountId, outcome: 'failure', detail: 'no_factor' });
    throw appError('STEP_UP_UNAVAILABLE', { detail: `no factor reaches ${action.level}` });
  }
  const token = newStepUpToken();
  const now = deps.clock.now();
  await repo.deleteExpiredChallenges(deps.db, action.principal.sessionId, now);
  await repo.insertChallenge(deps.db, {
    id: token.id,
    secret_hash: hashStepUpSecret(deps.keyRing, token.secret),
    session_id: action.principal.sessionId,
    account_id: action.principal.accountId,
    action_digest: action.digest,
    level: action.level,
    methods: JSON.stringify(methods),
    attempts: 0,
    passkey_nonce: null,
    created_at: now,
    expires_at: now + deps.config.challengeTtlSeconds * 1000,
    verified_at: null,
    verified_level: null,
    verified_amr: null,
    used_at: null,
  });
  await context.audit('step_up.challenge_issued', { subject: context.accountId, detail: action.level });
  return { token: formatStepUpToken(token), methods, level: action.level, expiresIn: deps.config.challengeTtlSeconds };
}
