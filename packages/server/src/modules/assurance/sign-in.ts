/**
 * @module modules/assurance/sign-in
 *
 * The sign-in state machine (docs/flows/sign-in.md). Every first factor (password, federated
 * sign-in) ends in `completeFirstFactor`, which decides, from the account's roles and enrolled
 * factors, between:
 * - a full `aal1` session (the role allows one factor and none more is enrolled);
 * - `401 MFA_REQUIRED` with a challenge bound to the request's DPoP key, answered at
 *   `POST /v1/sessions/mfa` (`completeSecondFactor`) or by signing in with a passkey; for an
 *   `aal1` account the answer may be a code sent by email or SMS for this very challenge
 *   (`POST /v1/sessions/mfa/send`, `sendChallengeCode`), never for staff roles;
 * - a restricted `aal1` session that can only enrol the factor the role requires.
 * A passkey sign-in is already `aal2_phr` and never comes here.
 */
import type { MfaCodeSent, TokenResponse } from '@portcullis/protocol';
import { writeAuditEvent } from '../../platform/audit/audit.ts';
import { constantTimeEqual } from '../../platform/crypto/index.ts';
import type { MfaChallengesTable } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { ENROLMENT_FACTORS, type AssuranceLevel } from '../../platform/routes/contract.ts';
import { sendSignInCode, type CodeChannel } from '../mfa/index.ts';
import { issueSession, type IssueSessionInput } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import {
  challengeSecretMatches,
  formatChallengeToken,
  hashChallengeSecret,
  newChallengeToken,
  parseChallengeToken,
} from './challenge-token.ts';
import type { AssuranceDeps } from './deps.ts';
import { outOfBandCodesAllowed, requiredLevelFor } from './policy.ts';
import * as repo from './repository.ts';
import { checkSecondFactor, type CodeMethod, type OutOfBandCodeMethod } from './second-factor.ts';

export interface FirstFactor {
  readonly accountId: string;
  readonly roles: readonly string[];
  /** RFC 8176 values of the factor just passed, e.g. `['pwd']`. */
  readonly amr: readonly string[];
  readonly jkt: string;
  readonly device: IssueSessionInput['device'];
}

type ChallengeMethod = CodeMethod | OutOfBandCodeMethod | 'passkey';
type Db = Parameters<typeof repo.factorInventory>[0];

/** Where a code could be sent and may be, by policy: a confirmed phone (SMS on) / verified email, aal1 only. */
function outOfBandChannels(deps: AssuranceDeps, factors: repo.FactorInventory, required: AssuranceLevel): { email: boolean; sms: boolean } {
  return {
    email: outOfBandCodesAllowed(required, 'email', deps.config) && factors.verifiedEmail,
    sms: outOfBandCodesAllowed(required, 'sms', deps.config) && deps.mfa.sms !== null && factors.phone,
  };
}

function methodsFor(required: AssuranceLevel, factors: repo.FactorInventory, codes: { email: boolean; sms: boolean }): ChallengeMethod[] {
  if (required === 'aal2_phr') return factors.passkey ? ['passkey'] : [];
  const methods: ChallengeMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (codes.sms) methods.push('sms_code');
  if (factors.recoveryCodes) methods.push('recovery_code');
  if (factors.passkey) methods.push('passkey');
  // A verified email is never a reason to ask for a second factor (everyone has one), only
  // another way to answer when the person chose a factor.
  if (methods.length > 0 && codes.email) methods.push('email_code');
  return methods;
}

/** The level the account's roles require, and the ways a sign-in challenge could be answered now. */
async function challengeMethods(
  deps: AssuranceDeps,
  db: Db,
  account: { readonly id: string; readonly roles: readonly string[] },
): Promise<{ required: AssuranceLevel; methods: ChallengeMethod[] }> {
  const required = requiredLevelFor(account.roles, deps.config.requiredLevel);
  const inventory = await repo.factorInventory(db, account.id);
  // A passkey kept from before passkeys were switched off cannot answer a challenge.
  const factors = { ...inventory, passkey: inventory.passkey && deps.passkeySignIn };
  return { required, methods: methodsFor(required, factors, outOfBandChannels(deps, factors, required)) };
}

/**
 * Whether a password sign-in to this account is asked for a second factor now: what NIST SP
 * 800-63B-4 calls a password used with a second factor, for which a shorter password may do
 * (`passwords.minLengthWithSecondFactor`). `db` lets a caller ask inside its transaction.
 */
export async function passwordHasSecondFactor(
  deps: AssuranceDeps,
  db: Db,
  account: { readonly id: string; readonly roles: readonly string[] },
): Promise<boolean> {
  return (await challengeMethods(deps, db, account)).methods.length > 0;
}

export async function completeFirstFactor(deps: AssuranceDeps, first: FirstFactor, context: RequestContext): Promise<TokenResponse> {
  const { required, methods } = await challengeMethods(deps, deps.db, { id: first.accountId, roles: first.roles });
  const session = { accountId: first.accountId, amr: first.amr, jkt: first.jkt, device: first.device };
  if (methods.length === 0) {
    // Nothing more to ask: a full session when one factor is enough, else one that can only enrol.
    if (required === 'aal1') return issueSession(deps.sessions, { ...session, aal: 'aal1' }, context);
    return issueSession(deps.sessions, { ...session, aal: 'aal1', restrictedTo: ENROLMENT_FACTORS }, context);
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
  readonly method: CodeMethod | OutOfBandCodeMethod;
  readonly code: string;
  /** Binding of this request's DPoP proof; must be the one that passed the first factor. */
  readonly jkt: string;
}

async function refuseChallenge(deps: AssuranceDeps, context: RequestContext, reason: string, accountId?: string): Promise<never> {
  await writeAuditEvent(deps.db, deps.clock, {
    action: 'mfa.challenge_failed',
    outcome: 'failure',
    actorId: accountId ?? null,
    subjectId: accountId ?? null,
    ...context,
    reason,
  });
  throw appError('MFA_CHALLENGE_INVALID', { detail: reason });
}

/** The challenge `token` names, if it is ours and was earned with the DPoP key `jkt`; otherwise refused. */
async function openChallenge(deps: AssuranceDeps, token: string, jkt: string, context: RequestContext): Promise<MfaChallengesTable> {
  const parsed = parseChallengeToken(token);
  const challenge = parsed ? await repo.findChallenge(deps.db, parsed.id) : undefined;
  if (!parsed || !challenge || !challengeSecretMatches(deps.keyRing, parsed.secret, challenge.secret_hash))
    return refuseChallenge(deps, context, 'unknown_challenge');
  const accountId = challenge.account_id;
  if (!constantTimeEqual(challenge.jkt, jkt)) return refuseChallenge(deps, context, 'dpop_key_mismatch', accountId);
  // A challenge that demands a passkey cannot be answered with a code.
  if (challenge.required_level === 'aal2_phr') return refuseChallenge(deps, context, 'passkey_required', accountId);
  return challenge;
}

/**
 * Whether the account's roles — as they are now, not when the challenge was issued — still
 * allow codes by `channel` (ASVS V6.6.1; staff never). Refuses with `MFA_METHOD_NOT_ALLOWED`.
 */
async function assertOutOfBandAllowed(
  deps: AssuranceDeps,
  accountId: string,
  channel: CodeChannel,
  refusal: { readonly action: 'mfa.challenge_failed' | 'mfa.email_code_sent' | 'mfa.sms_code_sent'; readonly context: RequestContext },
): Promise<void> {
  const roles = await repo.findAccountRoles(deps.db, accountId);
  // An account without roles needs aal1; a vanished account has none of them, and no code to check.
  const required = requiredLevelFor(roles ?? [], deps.config.requiredLevel);
  if (roles !== undefined && outOfBandCodesAllowed(required, channel, deps.config)) return;
  await writeAuditEvent(deps.db, deps.clock, {
    action: refusal.action,
    outcome: 'failure',
    actorId: accountId,
    subjectId: accountId,
    ...refusal.context,
    reason: 'method_not_allowed',
  });
  throw appError('MFA_METHOD_NOT_ALLOWED', { detail: `${channel} codes not allowed for ${required}` });
}

export interface SendCodeRequest {
  readonly challenge: string;
  readonly channel: CodeChannel;
  /** Binding of this request's DPoP proof; must be the one that passed the first factor. */
  readonly jkt: string;
}

/**
 * Sends a one-time code for a live challenge by email or SMS (`POST /v1/sessions/mfa/send`):
 * only from the DPoP key that earned the challenge, only while it is unused and unexpired, and
 * only when the account's roles allow the channel.
 */
export async function sendChallengeCode(deps: AssuranceDeps, request: SendCodeRequest, context: RequestContext): Promise<MfaCodeSent> {
  const challenge = await openChallenge(deps, request.challenge, request.jkt, context);
  const now = deps.clock.now();
  if (challenge.used_at !== null || challenge.expires_at <= now)
    return refuseChallenge(deps, context, 'challenge_spent', challenge.account_id);
  const action = request.channel === 'email' ? 'mfa.email_code_sent' : 'mfa.sms_code_sent';
  await assertOutOfBandAllowed(deps, challenge.account_id, request.channel, { action, context });
  return sendSignInCode(
    deps.mfa,
    { accountId: challenge.account_id, challengeId: challenge.id, challengeExpiresAt: challenge.expires_at, channel: request.channel },
    context,
  );
}

export async function completeSecondFactor(
  deps: AssuranceDeps,
  answer: SecondFactorAnswer,
  context: RequestContext,
): Promise<TokenResponse> {
  const challenge = await openChallenge(deps, answer.challenge, answer.jkt, context);
  const accountId = challenge.account_id;
  const channel = answer.method === 'email_code' ? 'email' : answer.method === 'sms_code' ? 'sms' : undefined;
  if (channel !== undefined) await assertOutOfBandAllowed(deps, accountId, channel, { action: 'mfa.challenge_failed', context });
  const now = deps.clock.now();
  if (!(await repo.takeChallengeAttempt(deps.db, challenge.id, deps.config.attemptsPerChallenge, now)))
    return refuseChallenge(deps, context, 'challenge_spent', accountId);
  const result = await checkSecondFactor(
    deps,
    answer.method === 'email_code' || answer.method === 'sms_code'
      ? { accountId, method: answer.method, code: answer.code, challengeId: challenge.id }
      : { accountId, method: answer.method, code: answer.code },
    context,
  );
  if (!result.ok) throw result.error;
  if (!(await repo.useChallenge(deps.db, challenge.id, deps.clock.now())))
    return refuseChallenge(deps, context, 'challenge_used', accountId);
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
