/**
 * @module modules/assurance/sign-in
 *
 * The sign-in state machine (docs/flows/sign-in.md). Every first factor (password, federated
 * sign-in) ends in `completeFirstFactor`, which decides, from the account's roles and enrolled
 * factors, between:
 * - a full `aal1` session (the role allows one factor and none more is enrolled);
 * - `401 MFA_REQUIRED` with a challenge bound to the request's DPoP key, answered at
 *   `POST /v1/sessions/mfa` (`completeSecondFactor`) or by signing in with a passkey;
 * - a restricted `aal1` session that can only enrol the factor the role requires.
 * A passkey sign-in is already `aal2_phr` and never comes here.
 */
import type { TokenResponse } from '@portcullis/protocol';
import { writeAuditEvent } from '../../platform/audit/audit.ts';
import { constantTimeEqual } from '../../platform/crypto/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { AssuranceLevel } from '../../platform/routes/contract.ts';
import { issueSession, type IssueSessionInput, type RequestContext } from '../sessions/index.ts';
import {
  challengeSecretMatches,
  formatChallengeToken,
  hashChallengeSecret,
  newChallengeToken,
  parseChallengeToken,
} from './challenge-token.ts';
import type { AssuranceDeps } from './deps.ts';
import { requiredLevelFor } from './policy.ts';
import * as repo from './repository.ts';
import { checkSecondFactor, type CodeMethod } from './second-factor.ts';

export interface FirstFactor {
  readonly accountId: string;
  readonly roles: readonly string[];
  /** RFC 8176 values of the factor just passed, e.g. `['pwd']`. */
  readonly amr: readonly string[];
  readonly jkt: string;
  readonly device: IssueSessionInput['device'];
}

type ChallengeMethod = CodeMethod | 'passkey';

function methodsFor(required: AssuranceLevel, factors: { totp: boolean; recoveryCodes: boolean; passkey: boolean }): ChallengeMethod[] {
  if (required === 'aal2_phr') return factors.passkey ? ['passkey'] : [];
  const methods: ChallengeMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.recoveryCodes) methods.push('recovery_code');
  if (factors.passkey) methods.push('passkey');
  return methods;
}

export async function completeFirstFactor(deps: AssuranceDeps, first: FirstFactor, context: RequestContext): Promise<TokenResponse> {
  const required = requiredLevelFor(first.roles, deps.config.requiredLevel);
  const factors = await repo.factorInventory(deps.db, first.accountId);
  const methods = methodsFor(required, factors);
  const session = { accountId: first.accountId, amr: first.amr, jkt: first.jkt, device: first.device };
  if (methods.length === 0) {
    // Nothing more to ask: a full session when one factor is enough, else one that can only enrol.
    const restricted = required !== 'aal1';
    return issueSession(deps.sessions, { ...session, aal: 'aal1', restricted }, context);
  }
  const level = required === 'aal2_phr' ? 'aal2_phr' : 'aal2';
  const token = newChallengeToken();
  const now = deps.clock.now();
  await repo.insertChallenge(deps.db, {
    id: token.id,
    secret_hash: hashChallengeSecret(deps.keyRing, token.secret),
    account_id: first.accountId,
    jkt: first.jkt,
    first_factor_amr: JSON.stringify(first.amr),
    required_level: level,
    device: JSON.stringify(first.device),
    attempts: 0,
    created_at: now,
    expires_at: now + deps.config.challengeTtlSeconds * 1000,
    used_at: null,
  });
  await writeAuditEvent(deps.db, deps.clock, {
    action: 'mfa.challenge_issued',
    outcome: 'success',
    actorId: first.accountId,
    subjectId: first.accountId,
    ...context,
    reason: level,
  });
  throw appError('MFA_REQUIRED', {
    detail: `role requires ${required}`,
    challenge: { token: formatChallengeToken(token), methods, level, expiresIn: deps.config.challengeTtlSeconds },
  });
}

export interface SecondFactorAnswer {
  readonly challenge: string;
  readonly method: CodeMethod;
  readonly code: string;
  /** Binding of this request's DPoP proof; must be the one that passed the first factor. */
  readonly jkt: string;
}

export async function completeSecondFactor(
  deps: AssuranceDeps,
  answer: SecondFactorAnswer,
  context: RequestContext,
): Promise<TokenResponse> {
  const refuse = async (reason: string, accountId?: string): Promise<never> => {
    await writeAuditEvent(deps.db, deps.clock, {
      action: 'mfa.challenge_failed',
      outcome: 'failure',
      actorId: accountId ?? null,
      subjectId: accountId ?? null,
      ...context,
      reason,
    });
    throw appError('MFA_CHALLENGE_INVALID', { detail: reason });
  };
  const parsed = parseChallengeToken(answer.challenge);
  const challenge = parsed ? await repo.findChallenge(deps.db, parsed.id) : undefined;
  if (!parsed || !challenge || !challengeSecretMatches(deps.keyRing, parsed.secret, challenge.secret_hash))
    return refuse('unknown_challenge');
  const accountId = challenge.account_id;
  if (!constantTimeEqual(challenge.jkt, answer.jkt)) return refuse('dpop_key_mismatch', accountId);
  // A challenge that demands a passkey cannot be answered with a code.
  if (challenge.required_level === 'aal2_phr') return refuse('passkey_required', accountId);
  const now = deps.clock.now();
  if (!(await repo.takeChallengeAttempt(deps.db, challenge.id, deps.config.attemptsPerChallenge, now)))
    return refuse('challenge_spent', accountId);
  const result = await checkSecondFactor(deps, { accountId, method: answer.method, code: answer.code }, context);
  if (!result.ok) throw result.error;
  if (!(await repo.useChallenge(deps.db, challenge.id, deps.clock.now()))) return refuse('challenge_used', accountId);
  const firstAmr = JSON.parse(challenge.first_factor_amr) as string[];
  return issueSession(
    deps.sessions,
    {
      accountId,
      aal: 'aal2',
      amr: [...firstAmr, result.amr, 'mfa'],
      jkt: challenge.jkt,
      device: JSON.parse(challenge.device) as IssueSessionInput['device'],
    },
    context,
  );
}
