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
 * A password alone, for an account without a second factor, opens nothing on a device the
 * account has never used (new-device confirmation) or while the deployment is in attack mode:
 * it gets `401 MFA_REQUIRED` with `reason: new_device` or `attack_mode` and `email_code` as the
 * only method, answered from the same DPoP key; the answer opens the session the password would
 * have (aal1, or enrolment-only). A known-breached password restricts whichever session the
 * sign-in ends in to changing the password; the restriction rides in the challenge, so it holds
 * after the second step too (docs/security/defense.md).
 * A passkey sign-in is already `aal2_phr` and never comes here. Nobody is signed in yet during
 * these steps, so every event names the account signing in as actor.
 */
import type { AuthChallenge, MfaCodeSent, TokenResponse } from '@portcullis/protocol';

type AuthChallengeLevel = AuthChallenge['level'];
import { constantTimeEqual } from '../../platform/crypto/index.ts';
import type { MfaChallengesTable } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { SECOND_FACTOR_ENROLMENTS, type AssuranceLevel, type EnrolmentFactor } from '../../platform/routes/contract.ts';
import { sendSignInCode, type CodeChannel } from '../mfa/index.ts';
import { deviceStanding, issueSession, restrictionOf, storedRestriction, type IssueSessionInput } from '../sessions/index.ts';
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
  /** The password is on a breached-password list: the session can only change it. */
  readonly passwordBreached?: boolean;
}

/** Where a challenge's device (label, platform, app version) is sealed. */
const challengeDeviceAt = (challengeId: string) => ({ table: 'mfa_challenges', column: 'device', rowId: challengeId });

/** Why a sign-in was challenged (stored in `mfa_challenges.reason`, sent as `challenge.reason`). */
export type ChallengeReason = 'second_factor' | 'new_device' | 'attack_mode';

/** The session a breached password opens may only set a new one. */
const PASSWORD_ONLY: readonly EnrolmentFactor[] = ['password'];

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

/**
 * Why a password sign-in with nothing more to ask must still confirm the device with an emailed
 * code, or undefined when it need not. A DPoP key the account has never used is a new device
 * (new-device confirmation). In attack mode a known device passes only from a network it has
 * used before: during a wave, a device key copied off a person's machine and replayed from
 * elsewhere is asked too, while people at home on their own phone are not. Other first factors
 * (a provider) are never asked.
 */
async function deviceConfirmationReason(
  deps: AssuranceDeps,
  first: FirstFactor,
  context: RequestContext,
): Promise<ChallengeReason | undefined> {
  if (!first.amr.includes('pwd')) return undefined;
  const standing = await deviceStanding(deps.db, first.accountId, first.jkt, context.ipPrefix);
  if (standing === 'unknown' && deps.defense.newDeviceConfirmation) return 'new_device';
  if (standing !== 'known_here' && (await deps.defense.attackMode.active(context))) return 'attack_mode';
  return undefined;
}

async function issueChallenge(
  deps: AssuranceDeps,
  first: FirstFactor,
  challenge: {
    reason: ChallengeReason;
    level: AuthChallengeLevel;
    methods: ChallengeMethod[];
    restrictedTo: readonly EnrolmentFactor[] | undefined;
  },
  context: RequestContext,
): Promise<never> {
  const token = newChallengeToken();
  const now = deps.clock.now();
  await repo.insertChallenge(deps.db, {
    id: token.id,
    secret_hash: hashChallengeSecret(deps.keyRing, token.secret),
    account_id: first.accountId,
    jkt: first.jkt,
    first_factor_amr: JSON.stringify(first.amr),
    required_level: challenge.level,
    // The device's label can name the person: sealed for them, bound to this challenge.
    device: await deps.dataProtection.seal(deps.db, first.accountId, JSON.stringify(first.device), challengeDeviceAt(token.id)),
    attempts: 0,
    created_at: now,
    expires_at: now + deps.config.challengeTtlSeconds * 1000,
    used_at: null,
    reason: challenge.reason,
    restricted_to: storedRestriction(challenge.restrictedTo),
  });
  const detail = challenge.reason === 'second_factor' ? challenge.level : challenge.reason;
  await context.audit('mfa.challenge_issued', { actor: first.accountId, subject: first.accountId, detail });
  throw appError('MFA_REQUIRED', {
    detail: challenge.reason === 'second_factor' ? `role requires ${challenge.level}` : `device confirmation: ${challenge.reason}`,
    challenge: {
      token: formatChallengeToken(token),
      methods: challenge.methods,
      level: challenge.level,
      reason: challenge.reason,
      expiresIn: deps.config.challengeTtlSeconds,
    },
  });
}

export async function completeFirstFactor(deps: AssuranceDeps, first: FirstFactor, context: RequestContext): Promise<TokenResponse> {
  const { required, methods } = await challengeMethods(deps, deps.db, { id: first.accountId, roles: first.roles });
  const breached = first.passwordBreached === true ? PASSWORD_ONLY : undefined;
  if (methods.length === 0) {
    // Nothing more to ask: a full session when one factor is enough, else one that can only
    // enrol (a breached password must be changed first) — once the device is confirmed.
    const restrictedTo = breached ?? (required === 'aal1' ? undefined : SECOND_FACTOR_ENROLMENTS);
    const reason = await deviceConfirmationReason(deps, first, context);
    if (reason !== undefined) return issueChallenge(deps, first, { reason, level: 'aal1', methods: ['email_code'], restrictedTo }, context);
    const session = { accountId: first.accountId, amr: first.amr, jkt: first.jkt, device: first.device, aal: 'aal1' as const };
    return issueSession(deps.sessions, restrictedTo === undefined ? session : { ...session, restrictedTo }, context);
  }
  const level = required === 'aal2_phr' ? 'aal2_phr' : 'aal2';
  return issueChallenge(deps, first, { reason: 'second_factor', level, methods, restrictedTo: breached }, context);
}

export interface SecondFactorAnswer {
  readonly challenge: string;
  readonly method: CodeMethod | OutOfBandCodeMethod;
  readonly code: string;
  /** Binding of this request's DPoP proof; must be the one that passed the first factor. */
  readonly jkt: string;
}

async function refuseChallenge(context: RequestContext, reason: string, accountId?: string): Promise<never> {
  await context.audit('mfa.challenge_failed', { actor: accountId ?? null, subject: accountId ?? null, outcome: 'failure', detail: reason });
  throw appError('MFA_CHALLENGE_INVALID', { detail: reason });
}

/** The challenge `token` names, if it is ours and was earned with the DPoP key `jkt`; otherwise refused. */
async function openChallenge(deps: AssuranceDeps, token: string, jkt: string, context: RequestContext): Promise<MfaChallengesTable> {
  const parsed = parseChallengeToken(token);
  const challenge = parsed ? await repo.findChallenge(deps.db, parsed.id) : undefined;
  if (!parsed || !challenge || !challengeSecretMatches(deps.keyRing, parsed.secret, challenge.secret_hash))
    return refuseChallenge(context, 'unknown_challenge');
  const accountId = challenge.account_id;
  if (!constantTimeEqual(challenge.jkt, jkt)) return refuseChallenge(context, 'dpop_key_mismatch', accountId);
  // A challenge that demands a passkey cannot be answered with a code.
  if (challenge.required_level === 'aal2_phr') return refuseChallenge(context, 'passkey_required', accountId);
  return challenge;
}

/** A challenge that confirms a device, answered by the emailed code whatever the role or `mfa.emailCodes`. */
function confirmsDevice(challenge: MfaChallengesTable): boolean {
  return challenge.reason === 'new_device' || challenge.reason === 'attack_mode';
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
  await refusal.context.audit(refusal.action, { actor: accountId, subject: accountId, outcome: 'failure', detail: 'method_not_allowed' });
  throw appError('MFA_METHOD_NOT_ALLOWED', { detail: `${channel} codes not allowed for ${required}` });
}

/**
 * A device is confirmed with a code sent to the verified email address only: the mailbox is
 * what new-device confirmation trusts, for every role. Refuses any other channel.
 */
async function assertDeviceCodeChannel(
  way: CodeChannel | CodeMethod | OutOfBandCodeMethod,
  refusal: {
    readonly action: 'mfa.challenge_failed' | 'mfa.email_code_sent' | 'mfa.sms_code_sent';
    readonly context: RequestContext;
    readonly accountId: string;
  },
): Promise<void> {
  if (way === 'email' || way === 'email_code') return;
  await refusal.context.audit(refusal.action, {
    actor: refusal.accountId,
    subject: refusal.accountId,
    outcome: 'failure',
    detail: 'method_not_allowed',
  });
  throw appError('MFA_METHOD_NOT_ALLOWED', { detail: `${way} does not confirm a device` });
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
  if (challenge.used_at !== null || challenge.expires_at <= now) return refuseChallenge(context, 'challenge_spent', challenge.account_id);
  const action = request.channel === 'email' ? 'mfa.email_code_sent' : 'mfa.sms_code_sent';
  if (confirmsDevice(challenge)) await assertDeviceCodeChannel(request.channel, { action, context, accountId: challenge.account_id });
  else await assertOutOfBandAllowed(deps, challenge.account_id, request.channel, { action, context });
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
  const device = confirmsDevice(challenge);
  if (device) await assertDeviceCodeChannel(answer.method, { action: 'mfa.challenge_failed', context, accountId });
  else if (channel !== undefined) await assertOutOfBandAllowed(deps, accountId, channel, { action: 'mfa.challenge_failed', context });
  const now = deps.clock.now();
  if (!(await repo.takeChallengeAttempt(deps.db, challenge.id, deps.config.attemptsPerChallenge, now)))
    return refuseChallenge(context, 'challenge_spent', accountId);
  const result = await checkSecondFactor(
    deps,
    answer.method === 'email_code' || answer.method === 'sms_code'
      ? { accountId, method: answer.method, code: answer.code, challengeId: challenge.id }
      : { accountId, method: answer.method, code: answer.code },
    context,
  );
  if (!result.ok) throw result.error;
  if (!(await repo.useChallenge(deps.db, challenge.id, deps.clock.now()))) return refuseChallenge(context, 'challenge_used', accountId);
  const firstAmr = JSON.parse(challenge.first_factor_amr) as string[];
  const restrictedTo = restrictionOf(challenge.restricted_to);
  const session: IssueSessionInput = {
    accountId,
    // A confirmed device adds no factor: the password alone still authenticated the person.
    aal: device ? 'aal1' : 'aal2',
    amr: device ? [...firstAmr, result.amr] : [...firstAmr, result.amr, 'mfa'],
    jkt: challenge.jkt,
    device: JSON.parse(
      await deps.dataProtection.open(deps.db, accountId, challenge.device, challengeDeviceAt(challenge.id)),
    ) as IssueSessionInput['device'],
  };
  return issueSession(deps.sessions, restrictedTo === undefined ? session : { ...session, restrictedTo }, context);
}
