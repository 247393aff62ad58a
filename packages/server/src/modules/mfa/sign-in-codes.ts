/**
 * @module modules/mfa/sign-in-codes
 *
 * Sign-in codes sent by email (to the account's verified address) or SMS (to its confirmed
 * phone), as building blocks of the sign-in challenge, which owns the decision whether they may
 * be offered at all, the challenge's attempts and the account-wide budget. Here:
 * - `sendSignInCode` sends a fresh 6-digit code bound to one challenge and channel (a newer one
 *   replaces it), at most 3 per challenge and 30 s apart, and 10 an hour per destination number
 *   or per account's email address;
 * - `verifySignInCode` spends the code it accepts, once (ASVS V6.5.1), and audits every call.
 * Audit events name the channel, never the address, number or code, and the account as actor
 * (during sign-in nobody is signed in yet).
 */
import type { MfaCodeSent } from '@portcullis/protocol';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { signInCodeMessage } from '../../platform/mailer/index.ts';
import { signInCodeSms } from '../../platform/sms/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { listConfirmedFactors } from './factor-lifecycle.ts';
import {
  CODE_MAX_ATTEMPTS,
  HOUR_MS,
  RESEND_INTERVAL_MS,
  SENDS_PER_CHALLENGE,
  SENDS_PER_ADDRESS_PER_HOUR,
  SENDS_PER_NUMBER_PER_HOUR,
  SIGN_IN_CODE_TTL_MS,
  deliveryFailureDetail,
  isDeliveryFailure,
  minutesOf,
  sendRefusal,
} from './code-delivery.ts';
import type { MfaDeps, OutOfBandDeps } from './deps.ts';
import { openPhoneNumber } from './phone-number-cipher.ts';
import { maskEmailAddress, maskPhoneNumber } from './phone-number.ts';
import * as phones from './phone-repository.ts';
import { takeSend } from './send-limits.ts';
import { consumeSentCode, issueSentCode, type SentCodeFailureReason } from './sent-codes.ts';

export type CodeChannel = 'email' | 'sms';

interface Destination {
  readonly address: string;
  readonly masked: string;
  /** Blind index of the phone number (SMS only), for the per-number limit. */
  readonly numberHash?: string;
}

/** Where a code for `channel` would go, or `undefined` when the account has no such destination. */
async function destinationOf(deps: OutOfBandDeps, accountId: string, channel: CodeChannel): Promise<Destination | undefined> {
  if (channel === 'email') {
    const contact = await phones.findAccountContact(deps.dataProtection, deps.db, accountId);
    return contact?.emailVerified ? { address: contact.email, masked: maskEmailAddress(contact.email) } : undefined;
  }
  if (deps.sms === null) return undefined;
  // One phone per account; the first confirmed number whose ciphertext opens.
  for (const factor of await listConfirmedFactors(deps.db, 'mfa_phone_factors', accountId)) {
    const number = await openPhoneNumber(deps.dataProtection, deps.db, factor.phone_ciphertext, { accountId, factorId: factor.id });
    if (number !== undefined) return { address: number, masked: maskPhoneNumber(number), numberHash: factor.phone_hash };
  }
  return undefined;
}

/**
 * Sends a new sign-in code for `challengeId` on `channel`. Throws `MFA_METHOD_NOT_ALLOWED` (no
 * verified email / no confirmed phone), `RATE_LIMITED` (too soon; `Retry-After`),
 * `MFA_CODE_SEND_LIMIT_REACHED` or `MFA_CODE_DELIVERY_FAILED`.
 */
export async function sendSignInCode(
  deps: OutOfBandDeps,
  input: { readonly accountId: string; readonly challengeId: string; readonly challengeExpiresAt: number; readonly channel: CodeChannel },
  context: RequestContext,
): Promise<MfaCodeSent> {
  const { accountId, channel } = input;
  const about = { actor: accountId, subject: accountId };
  const audit = (reason?: string) =>
    context.audit(
      channel === 'email' ? 'mfa.email_code_sent' : 'mfa.sms_code_sent',
      reason === undefined ? about : { ...about, outcome: 'failure', detail: reason },
    );
  const destination = await destinationOf(deps, accountId, channel);
  if (!destination) {
    await audit('no_destination');
    throw appError('MFA_METHOD_NOT_ALLOWED', { detail: `no ${channel} destination` });
  }
  const now = deps.clock.now();
  const permit = await takeSend(
    deps.db,
    {
      key: `challenge:${input.challengeId}`,
      maxSends: SENDS_PER_CHALLENGE,
      intervalMs: RESEND_INTERVAL_MS,
      windowEndsAt: input.challengeExpiresAt,
    },
    now,
  );
  if (!permit.ok) {
    await audit(permit.reason);
    throw sendRefusal(permit, { challengeLimit: true });
  }
  // Per destination, across challenges: a number (SMS bombing, toll fraud) or an account's address.
  const perDestination =
    destination.numberHash !== undefined
      ? { key: `number:${destination.numberHash}`, maxSends: SENDS_PER_NUMBER_PER_HOUR, refusal: 'number_limit_reached' }
      : { key: `email:${accountId}`, maxSends: SENDS_PER_ADDRESS_PER_HOUR, refusal: 'address_limit_reached' };
  const perHour = await takeSend(
    deps.db,
    { key: perDestination.key, maxSends: perDestination.maxSends, intervalMs: 0, windowEndsAt: now + HOUR_MS },
    now,
  );
  if (!perHour.ok) {
    await audit(perDestination.refusal);
    throw sendRefusal(perHour, { challengeLimit: false });
  }
  const expiresAt = Math.min(now + SIGN_IN_CODE_TTL_MS, input.challengeExpiresAt);
  const code = await issueSentCode(
    deps.db,
    deps.keyRing,
    { accountId, purpose: 'sign_in', bindingId: input.challengeId, channel },
    { now, expiresAt },
  );
  const validForMinutes = minutesOf(expiresAt - now);
  try {
    if (channel === 'email') await deps.mailer.send({ to: destination.address, ...signInCodeMessage({ code, validForMinutes }) });
    else await deps.sms?.send({ to: destination.address, text: signInCodeSms({ code, validForMinutes }) });
  } catch (error) {
    if (!isDeliveryFailure(error)) throw error;
    await audit('delivery_failed');
    throw appError('MFA_CODE_DELIVERY_FAILED', { detail: deliveryFailureDetail(channel, error) });
  }
  await audit();
  return {
    channel,
    destination: destination.masked,
    codeExpiresIn: Math.floor((expiresAt - now) / 1000),
    resendAfter: permit.sendsLeft > 0 ? RESEND_INTERVAL_MS / 1000 : 0,
    sendsLeft: permit.sendsLeft,
  };
}

export type SignInCodeVerification = { readonly ok: true } | { readonly ok: false; readonly reason: SentCodeFailureReason };

/**
 * Checks `code` against the live code sent for `challengeId` on `channel` and spends it when it
 * matches. Attempt limits beyond the code's own are the caller's (the challenge and the account
 * budget). Every call is audited with a reason code.
 */
export async function verifySignInCode(
  deps: MfaDeps,
  input: { readonly accountId: string; readonly challengeId: string; readonly channel: CodeChannel; readonly code: string },
  context: RequestContext,
): Promise<SignInCodeVerification> {
  const { accountId, channel } = input;
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const result = await consumeSentCode(
      tx,
      deps.keyRing,
      { accountId, purpose: 'sign_in', bindingId: input.challengeId, channel },
      { code: input.code, maxAttempts: CODE_MAX_ATTEMPTS, now },
    );
    if (result.ok && channel === 'sms') {
      for (const factor of await listConfirmedFactors(tx, 'mfa_phone_factors', accountId))
        await phones.markPhoneFactorUsed(tx, factor.id, now);
    }
    const about = { actor: accountId, subject: accountId };
    await context.audit(
      channel === 'email' ? 'mfa.email_code_verified' : 'mfa.sms_code_verified',
      result.ok ? about : { ...about, outcome: 'failure', detail: result.reason },
      tx,
    );
    return result;
  });
}
