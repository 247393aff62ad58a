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
 * once it has one, adding another needs an `aal2` session, so a stolen password alone cannot
 * add the thief's number. Every change signs out the person's other sessions.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorCode, PhoneCodeSent, PhoneConfirmation, PhoneEnrolment } from '@portcullis/protocol';
import type { Kysely, Transaction } from 'kysely';
import { withTransaction } from '../../platform/db/index.ts';
import type { Database } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { phoneVerificationSms } from '../../platform/sms/index.ts';
import { meetsAssuranceLevel } from '../../platform/routes/authentication.ts';
import type { AssuranceLevel } from '../../platform/routes/contract.ts';
import { revokeSessions } from '../sessions/index.ts';
import { confirmFactor, countConfirmedFactors, deleteFactor, deletePendingFactors, findPendingFactor } from './factor-lifecycle.ts';
import { auditMfaEvent } from './audit-outcome.ts';
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
import type { AuditContext, MfaDeps, OutOfBandDeps } from './deps.ts';
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
  | 'step_up_required'
  | 'phone_already_enrolled'
  | 'enrolment_not_found'
  | 'code_malformed'
  | 'no_code'
  | 'attempts_spent'
  | 'code_invalid'
  | 'code_used';

const FAILURE_ERRORS: Readonly<Record<PhoneFailure, ErrorCode>> = {
  sms_disabled: 'MFA_METHOD_NOT_ALLOWED',
  role_not_allowed: 'MFA_METHOD_NOT_ALLOWED',
  // The same answer the route contract gives a session below the required level.
  step_up_required: 'AUTH_REQUIRED',
  phone_already_enrolled: 'MFA_PHONE_ALREADY_ENROLLED',
  enrolment_not_found: 'MFA_ENROLMENT_NOT_FOUND',
  code_malformed: 'MFA_PHONE_CODE_INVALID',
  no_code: 'MFA_PHONE_CODE_INVALID',
  attempts_spent: 'MFA_PHONE_CODE_INVALID',
  code_invalid: 'MFA_PHONE_CODE_INVALID',
  code_used: 'MFA_PHONE_CODE_INVALID',
};

function failure(reason: PhoneFailure, detail: string): Error {
  return appError(FAILURE_ERRORS[reason], { detail: `${detail}: ${reason}` });
}

/** Why the account may not add (or confirm) a phone now, if it may not. */
async function enrolmentRefusal(tx: Transaction<Database>, accountId: string, aal: AssuranceLevel): Promise<PhoneFailure | undefined> {
  const [apps, numbers] = await Promise.all([
    countConfirmedFactors(tx, 'mfa_totp_factors', accountId),
    countConfirmedFactors(tx, 'mfa_phone_factors', accountId),
  ]);
  if (apps + numbers > 0 && !meetsAssuranceLevel(aal, 'aal2')) return 'step_up_required';
  if (numbers >= MAX_PHONE_FACTORS) return 'phone_already_enrolled';
  return undefined;
}

/** SMS on, and a role that is ever offered SMS codes. */
async function policyRefusal(
  deps: OutOfBandDeps,
  db: Kysely<Database> | Transaction<Database>,
  accountId: string,
): Promise<PhoneFailure | undefined> {
  if (deps.sms === null) return 'sms_disabled';
  const contact = await phones.findAccountContact(db, accountId);
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
  context: AuditContext,
): Promise<{ codeExpiresIn: number; resendAfter: number }> {
  const { accountId } = pending;
  const audit = (reason?: string) =>
    withTransaction(deps.db, (tx) =>
      auditMfaEvent(tx, deps.clock, { action: 'mfa.sms_code_sent', accountId, ...(reason === undefined ? {} : { reason }) }, context),
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
  deps: OutOfBandDeps,
  input: { readonly accountId: string; readonly aal: AssuranceLevel; readonly phoneNumber: string },
  context: AuditContext,
): Promise<PhoneEnrolment> {
  const { accountId } = input;
  // The route schema checks the form; this is the programming-error guard behind it.
  if (!E164.test(input.phoneNumber)) throw new TypeError('startPhoneEnrolment expects an E.164 number');
  const factorId = randomUUID();
  const now = deps.clock.now();
  const expiresAt = now + PHONE_VERIFICATION_TTL_MS;
  const numberHash = phoneNumberHash(deps.keyRing, input.phoneNumber);
  const refused = await withTransaction(deps.db, async (tx) => {
    const refusal = (await policyRefusal(deps, tx, accountId)) ?? (await enrolmentRefusal(tx, accountId, input.aal));
    if (refusal) {
      await auditMfaEvent(tx, deps.clock, { action: 'mfa.phone_added', accountId, reason: refusal }, context);
      return refusal;
    }
    await deletePendingFactors(tx, 'mfa_phone_factors', accountId, now);
    await phones.insertPhoneFactor(tx, {
      id: factorId,
      account_id: accountId,
      phone_ciphertext: sealPhoneNumber(deps.keyRing, input.phoneNumber, { accountId, factorId }),
      phone_hash: numberHash,
      created_at: now,
      confirmed_at: null,
      expires_at: expiresAt,
      last_used_at: null,
    });
    await auditMfaEvent(tx, deps.clock, { action: 'mfa.phone_added', accountId }, context);
    return undefined;
  });
  if (refused) throw failure(refused, 'phone enrolment refused');
  const sent = await sendVerificationCode(deps, { accountId, factorId, number: input.phoneNumber, numberHash, expiresAt }, context);
  return { factorId, phoneNumber: maskPhoneNumber(input.phoneNumber), expiresAt: new Date(expiresAt).toISOString(), ...sent };
}

/** Texts a new code to the account's pending phone (the earlier code stops working). */
export async function resendPhoneCode(
  deps: OutOfBandDeps,
  input: { readonly accountId: string; readonly factorId: string },
  context: AuditContext,
): Promise<PhoneCodeSent> {
  const { accountId, factorId } = input;
  const refusal = await policyRefusal(deps, deps.db, accountId);
  if (refusal) throw failure(refusal, 'phone code resend refused');
  const pending = await findPendingFactor(deps.db, 'mfa_phone_factors', {
    accountId: accountId,
    factorId: factorId,
    now: deps.clock.now(),
  });
  const number = pending && openPhoneNumber(deps.keyRing, pending.phone_ciphertext, { accountId, factorId });
  if (!pending || number === undefined || pending.expires_at === null) throw failure('enrolment_not_found', 'phone code resend refused');
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
  deps: OutOfBandDeps,
  input: {
    readonly accountId: string;
    readonly sessionId: string;
    readonly aal: AssuranceLevel;
    readonly factorId: string;
    readonly code: string;
  },
  context: AuditContext,
): Promise<PhoneConfirmation> {
  const { accountId } = input;
  const outcome = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const refuse = async (reason: PhoneFailure) => {
      await auditMfaEvent(tx, deps.clock, { action: 'mfa.phone_verified', accountId, reason }, context);
      return { refused: reason };
    };
    const pending = await findPendingFactor(tx, 'mfa_phone_factors', { accountId: accountId, factorId: input.factorId, now: now });
    if (!pending) return refuse('enrolment_not_found');
    const refusal = (await policyRefusal(deps, tx, accountId)) ?? (await enrolmentRefusal(tx, accountId, input.aal));
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
    await auditMfaEvent(tx, deps.clock, { action: 'mfa.phone_verified', accountId }, context);
    return { confirmed: { factor: toPhoneFactorDto(deps, { ...pending, confirmed_at: now }), recoveryCodes } };
  });
  if ('refused' in outcome) throw failure(outcome.refused, 'phone confirmation refused');
  await revokeSessions(deps.sessions, { accountId, except: input.sessionId, reason: 'mfa_changed' }, context);
  return outcome.confirmed;
}

/**
 * Removes the caller's phone (confirmed or pending): codes already sent to it stop working, and
 * the person's other sessions are signed out.
 */
export async function removePhoneFactor(
  deps: MfaDeps,
  input: { readonly accountId: string; readonly sessionId: string; readonly factorId: string },
  context: AuditContext,
): Promise<void> {
  const { accountId } = input;
  const removed = await withTransaction(deps.db, async (tx) => {
    const deleted = await deleteFactor(tx, 'mfa_phone_factors', { accountId: accountId, factorId: input.factorId });
    if (deleted) await revokeSentCodes(tx, accountId, 'sms', deps.clock.now());
    await auditMfaEvent(
      tx,
      deps.clock,
      { action: 'mfa.phone_removed', accountId, ...(deleted ? {} : { reason: 'factor_not_found' }) },
      context,
    );
    return deleted;
  });
  // Another account's factor answers exactly like a missing one.
  if (!removed) throw appError('MFA_FACTOR_NOT_FOUND', { detail: 'no such phone factor for this account' });
  await revokeSessions(deps.sessions, { accountId, except: input.sessionId, reason: 'mfa_changed' }, context);
}
