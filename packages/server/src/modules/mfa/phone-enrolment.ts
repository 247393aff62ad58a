/**
 * @module modules/mfa/phone-enrolment
 *
 * Adding, confirming and removing the phone number that receives sign-in codes by SMS. Adding is
 * two steps, as for authenticator apps: `startPhoneEnrolment` stores the number as a pending
 * factor (sealed, never in clear) and texts it a 6-digit code; `confirmPhoneEnrolment` activates
 * it with that code, which proves the person receives messages at that number (ASVS V6.6.1: SMS
 * codes only to a validated number). Pending numbers expire after 10 minutes, and adding a new
 * one discards the previous one. One phone per account.
 *
 * Who may: SMS must be switched on, and the account's roles must allow email and SMS codes at
 * all (their required level is `aal1`): a staff role never gets SMS codes, so it may not add a
 * phone either. While the account has no second factor a password-level session may add one;
 * once it has one, adding another needs an `aal2` session (enrolment-level.ts), so a stolen
 * password alone cannot add the thief's number. Every change signs out the person's other
 * sessions. Every step, refused or not, is audited (last in its transaction when it has one).
 */
import { randomUUID } from 'node:crypto';
import type { ErrorCode, PhoneCodeSent, PhoneConfirmation, PhoneEnrolment } from '@portcullis/protocol';
import type { Kysely, Transaction } from 'kysely';
import { withTransaction } from '../../platform/db/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { phoneVerificationSms } from '../../platform/sms/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { revokeSessions } from '../sessions/index.ts';
import { confirmFactor, deleteFactor, deletePendingFactors, findPendingFactor } from './factor-lifecycle.ts';
import {
  CODE_MAX_ATTEMPTS,
  ENROLMENT_SENDS_PER_HOUR,
  HOUR_MS,
  PHONE_VERIFICATION_TTL_MS,
  RESEND_INTERVAL_MS,
  SENDS_PER_NUMBER_PER_HOUR,
  deliveryFailureDetail,
  isDeliveryFailure,
  minutesOf,
  sendRefusal,
} from './code-delivery.ts';
import type { EnrolmentDeps, FactorOwner, MfaDeps, OutOfBandDeps } from './deps.ts';
import { confirmedFactors, strongEnoughToAdd, TOO_WEAK, tooWeakToAdd } from './enrolment-level.ts';
import { toPhoneFactorDto } from './factors.ts';
import { openPhoneNumber, phoneNumberHash, sealPhoneNumber } from './phone-number-cipher.ts';
import { E164, maskPhoneNumber } from './phone-number.ts';
import * as phones from './phone-repository.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';
import * as repo from './repository.ts';
import { takeSend } from './send-limits.ts';
import { consumeSentCode, issueSentCode, revokeSentCodes } from './sent-codes.ts';

/** One phone number per account: codes go to one place, and changing it is remove-then-add. */
export const MAX_PHONE_FACTORS = 1;

type PhoneFailure =
  | 'sms_disabled'
  | 'role_not_allowed'
  | typeof TOO_WEAK
  | 'phone_already_enrolled'
  | 'enrolment_not_found'
  | 'code_malformed'
  | 'no_code'
  | 'attempts_spent'
  | 'code_invalid'
  | 'code_used';

const FAILURE_ERRORS: Readonly<Record<Exclude<PhoneFailure, typeof TOO_WEAK>, ErrorCode>> = {
  sms_disabled: 'MFA_METHOD_NOT_ALLOWED',
  role_not_allowed: 'MFA_METHOD_NOT_ALLOWED',
  phone_already_enrolled: 'MFA_PHONE_ALREADY_ENROLLED',
  enrolment_not_found: 'MFA_ENROLMENT_NOT_FOUND',
  code_malformed: 'MFA_PHONE_CODE_INVALID',
  no_code: 'MFA_PHONE_CODE_INVALID',
  attempts_spent: 'MFA_PHONE_CODE_INVALID',
  code_invalid: 'MFA_PHONE_CODE_INVALID',
  code_used: 'MFA_PHONE_CODE_INVALID',
};

function failure(deps: EnrolmentDeps, owner: FactorOwner, reason: PhoneFailure, step: string): Error {
  const detail = `${step}: ${reason}`;
  return reason === TOO_WEAK ? tooWeakToAdd(deps, owner, detail) : appError(FAILURE_ERRORS[reason], { detail });
}

/** Why the account may not add (or confirm) a phone now, if it may not. */
async function enrolmentRefusal(tx: Transaction<Database>, owner: FactorOwner): Promise<PhoneFailure | undefined> {
  const confirmed = await confirmedFactors(tx, owner.accountId);
  if (!strongEnoughToAdd(owner, confirmed)) return TOO_WEAK;
  if (confirmed.phones >= MAX_PHONE_FACTORS) return 'phone_already_enrolled';
  return undefined;
}

/** SMS on, and a role that is ever offered SMS codes. */
async function policyRefusal(
  deps: OutOfBandDeps,
  db: Kysely<Database> | Transaction<Database>,
  accountId: string,
): Promise<PhoneFailure | undefined> {
  if (deps.sms === null) return 'sms_disabled';
  const contact = await phones.findAccountContact(deps.dataProtection, db, accountId);
  if (!contact) throw appError('AUTH_REQUIRED', { detail: 'account of a live session is gone' });
  return deps.outOfBandAllowedFor(contact.roles) ? undefined : 'role_not_allowed';
}

/** Texts a new verification code to a pending number, within the per-account and per-number limits. */
async function sendVerificationCode(
  deps: OutOfBandDeps,
  pending: {
    readonly accountId: string;
    readonly factorId: string;
    readonly number: string;
    readonly numberHash: string;
    readonly expiresAt: number;
  },
  context: RequestContext,
): Promise<{ codeExpiresIn: number; resendAfter: number }> {
  const { accountId } = pending;
  const audit = (reason?: string) =>
    context.audit(
      'mfa.sms_code_sent',
      reason === undefined ? { subject: accountId } : { subject: accountId, outcome: 'failure', detail: reason },
    );
  const now = deps.clock.now();
  for (const policy of [
    { key: `enrol:${accountId}`, maxSends: ENROLMENT_SENDS_PER_HOUR, intervalMs: RESEND_INTERVAL_MS, windowEndsAt: now + HOUR_MS },
    { key: `number:${pending.numberHash}`, maxSends: SENDS_PER_NUMBER_PER_HOUR, intervalMs: 0, windowEndsAt: now + HOUR_MS },
  ]) {
    const permit = await takeSend(deps.db, policy, now);
    if (!permit.ok) {
      await audit(policy.key.startsWith('number:') ? 'number_limit_reached' : permit.reason);
      throw sendRefusal(permit, { challengeLimit: false });
    }
  }
  const expiresAt = Math.min(now + PHONE_VERIFICATION_TTL_MS, pending.expiresAt);
  const code = await issueSentCode(
    deps.db,
    deps.keyRing,
    { accountId, purpose: 'phone_verification', bindingId: pending.factorId, channel: 'sms' },
    { now, expiresAt },
  );
  try {
    // `policyRefusal` ran first, so a sender exists.
    if (deps.sms === null) throw new TypeError('phone enrolment without an SMS sender');
    await deps.sms.send({ to: pending.number, text: phoneVerificationSms({ code, validForMinutes: minutesOf(expiresAt - now) }) });
  } catch (error) {
    if (!isDeliveryFailure(error)) throw error;
    await audit('delivery_failed');
    throw appError('MFA_CODE_DELIVERY_FAILED', { detail: deliveryFailureDetail('sms', error) });
  }
  await audit();
  return { codeExpiresIn: Math.floor((expiresAt - now) / 1000), resendAfter: RESEND_INTERVAL_MS / 1000 };
}

/** Stores `phoneNumber` as the account's pending phone and texts it a verification code. */
export async function startPhoneEnrolment(
  deps: OutOfBandDeps & EnrolmentDeps,
  owner: FactorOwner,
  input: { readonly phoneNumber: string },
  context: RequestContext,
): Promise<PhoneEnrolment> {
  const { accountId } = owner;
  // The route schema checks the form; this is the programming-error guard behind it.
  if (!E164.test(input.phoneNumber)) throw new TypeError('startPhoneEnrolment expects an E.164 number');
  const factorId = randomUUID();
  const now = deps.clock.now();
  const expiresAt = now + PHONE_VERIFICATION_TTL_MS;
  const numberHash = await phoneNumberHash(deps.dataProtection, deps.db, input.phoneNumber);
  const refused = await withTransaction(deps.db, async (tx) => {
    const refusal = (await policyRefusal(deps, tx, accountId)) ?? (await enrolmentRefusal(tx, owner));
    if (refusal) {
      await context.audit('mfa.phone_added', { subject: accountId, outcome: 'failure', detail: refusal }, tx);
      return refusal;
    }
    await deletePendingFactors(tx, 'mfa_phone_factors', accountId, now);
    await phones.insertPhoneFactor(tx, {
      id: factorId,
      account_id: accountId,
      phone_ciphertext: await sealPhoneNumber(deps.dataProtection, tx, input.phoneNumber, { accountId, factorId }),
      phone_hash: numberHash,
      created_at: now,
      confirmed_at: null,
      expires_at: expiresAt,
      last_used_at: null,
    });
    await context.audit('mfa.phone_added', { subject: accountId }, tx);
    return undefined;
  });
  if (refused) throw failure(deps, owner, refused, 'phone enrolment refused');
  const sent = await sendVerificationCode(deps, { accountId, factorId, number: input.phoneNumber, numberHash, expiresAt }, context);
  return { factorId, phoneNumber: maskPhoneNumber(input.phoneNumber), expiresAt: new Date(expiresAt).toISOString(), ...sent };
}

/** Texts a new code to the account's pending phone (the earlier code stops working). */
export async function resendPhoneCode(
  deps: OutOfBandDeps & EnrolmentDeps,
  owner: FactorOwner,
  factorId: string,
  context: RequestContext,
): Promise<PhoneCodeSent> {
  const { accountId } = owner;
  const refusal = await policyRefusal(deps, deps.db, accountId);
  if (refusal) throw failure(deps, owner, refusal, 'phone code resend refused');
  const pending = await findPendingFactor(deps.db, 'mfa_phone_factors', {
    accountId: accountId,
    factorId: factorId,
    now: deps.clock.now(),
  });
  const number = pending && (await openPhoneNumber(deps.dataProtection, deps.db, pending.phone_ciphertext, { accountId, factorId }));
  if (!pending || number === undefined || pending.expires_at === null)
    throw failure(deps, owner, 'enrolment_not_found', 'phone code resend refused');
  const sent = await sendVerificationCode(
    deps,
    { accountId, factorId, number, numberHash: pending.phone_hash, expiresAt: pending.expires_at },
    context,
  );
  return { phoneNumber: maskPhoneNumber(number), ...sent };
}

/**
 * Activates a pending phone with the code texted to it. When the account has no recovery codes
 * yet, the first set is generated and returned here (shown once). Signs out other sessions.
 */
export async function confirmPhoneEnrolment(
  deps: OutOfBandDeps & EnrolmentDeps,
  owner: FactorOwner,
  input: { readonly factorId: string; readonly code: string },
  context: RequestContext,
): Promise<PhoneConfirmation> {
  const { accountId } = owner;
  const outcome = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const refuse = async (reason: PhoneFailure) => {
      await context.audit('mfa.phone_verified', { subject: accountId, outcome: 'failure', detail: reason }, tx);
      return { refused: reason };
    };
    const pending = await findPendingFactor(tx, 'mfa_phone_factors', { accountId: accountId, factorId: input.factorId, now: now });
    if (!pending) return refuse('enrolment_not_found');
    const refusal = (await policyRefusal(deps, tx, accountId)) ?? (await enrolmentRefusal(tx, owner));
    if (refusal) return refuse(refusal);
    const checked = await consumeSentCode(
      tx,
      deps.keyRing,
      { accountId, purpose: 'phone_verification', bindingId: pending.id, channel: 'sms' },
      { code: input.code, maxAttempts: CODE_MAX_ATTEMPTS, now },
    );
    if (!checked.ok) return refuse(checked.reason);
    // Loses to a concurrent confirmation of the same number: exactly one wins.
    if (!(await confirmFactor(tx, 'mfa_phone_factors', pending.id, { now: now }))) return refuse('code_used');
    const recoveryCodes = (await repo.findRecoveryCodeSet(tx, accountId)) ? null : await issueRecoveryCodes(tx, deps, accountId, context);
    await context.audit('mfa.phone_verified', { subject: accountId }, tx);
    return { confirmed: { factor: await toPhoneFactorDto(deps, { ...pending, confirmed_at: now }), recoveryCodes } };
  });
  if ('refused' in outcome) throw failure(deps, owner, outcome.refused, 'phone confirmation refused');
  await revokeSessions(deps.sessions, { accountId, except: owner.sessionId, reason: 'mfa_changed' }, context);
  return outcome.confirmed;
}

/**
 * Removes the caller's phone (confirmed or pending): codes already sent to it stop working, and
 * the person's other sessions are signed out.
 */
export async function removePhoneFactor(deps: MfaDeps, owner: FactorOwner, factorId: string, context: RequestContext): Promise<void> {
  const { accountId } = owner;
  const removed = await withTransaction(deps.db, async (tx) => {
    const deleted = await deleteFactor(tx, 'mfa_phone_factors', { accountId, factorId });
    if (deleted) await revokeSentCodes(tx, accountId, 'sms', deps.clock.now());
    await context.audit(
      'mfa.phone_removed',
      deleted ? { subject: accountId } : { subject: accountId, outcome: 'failure', detail: 'factor_not_found' },
      tx,
    );
    return deleted;
  });
  // Another account's factor answers exactly like a missing one.
  if (!removed) throw appError('MFA_FACTOR_NOT_FOUND', { detail: 'no such phone factor for this account' });
  await revokeSessions(deps.sessions, { accountId, except: owner.sessionId, reason: 'mfa_changed' }, context);
}
