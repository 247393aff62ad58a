/**
 * @module modules/mfa/code-delivery
 *
 * The shared rules for sending a one-time code by email or SMS: lifetimes, send limits, the
 * mapping of a refused send to its wire error, and the delivery itself. A failed delivery is
 * reported with the adapter's machine reason only (never the address, number, text or the
 * provider's answer), and the audit event records the channel, never where it went.
 */
import { appError, retryAfterHeader, type AppError } from '../../platform/errors/app-error.ts';
import { MailDeliveryError } from '../../platform/mailer/index.ts';
import { SmsDeliveryError } from '../../platform/sms/index.ts';
import type { SendPermit } from './send-limits.ts';

/** Sign-in codes live 5 minutes (and never beyond their challenge); ASVS V6.5.5 allows 10 at most. */
export const SIGN_IN_CODE_TTL_MS = 5 * 60_000;
/** A phone is confirmed within 10 minutes of adding it; its code lives as long. */
export const PHONE_VERIFICATION_TTL_MS = 10 * 60_000;
/** Wrong guesses one code accepts before it dies (the sign-in challenge and account budget apply too). */
export const CODE_MAX_ATTEMPTS = 5;
/** Least time between two codes for the same challenge, or the same account's phone enrolment. */
export const RESEND_INTERVAL_MS = 30_000;
/** Codes one sign-in challenge may send, email and SMS together. */
export const SENDS_PER_CHALLENGE = 3;
/** Verification texts one account may have sent while adding phones, per hour. */
export const ENROLMENT_SENDS_PER_HOUR = 5;
/** Texts one destination number may receive per hour, whichever accounts ask (SMS bombing, toll fraud). */
export const SENDS_PER_NUMBER_PER_HOUR = 10;
/**
 * Sign-in codes one account's email address receives an hour, whichever challenges ask: anyone
 * holding the password opens a new challenge at every sign-in (a new device must confirm by
 * email), so without it they could fill the owner's mailbox.
 */
export const SENDS_PER_ADDRESS_PER_HOUR = 10;
export const HOUR_MS = 3_600_000;

export function minutesOf(ms: number): number {
  return Math.max(1, Math.ceil(ms / 60_000));
}

/** The error for a refused send. A challenge that sent its last code cannot be helped by waiting. */
export function sendRefusal(permit: Exclude<SendPermit, { ok: true }>, options: { readonly challengeLimit: boolean }): AppError {
  if (permit.reason === 'limit_reached' && options.challengeLimit) {
    return appError('MFA_CODE_SEND_LIMIT_REACHED', { detail: 'challenge sent its last code' });
  }
  return appError('RATE_LIMITED', { detail: `code send ${permit.reason}`, headers: retryAfterHeader(permit.retryAfterMs) });
}

/** A machine description of a delivery failure, safe for logs: reason and status only. */
export function deliveryFailureDetail(channel: 'email' | 'sms', error: unknown): string {
  if (error instanceof SmsDeliveryError)
    return `${channel} delivery failed: ${error.reason}${error.status === undefined ? '' : ` ${String(error.status)}`}`;
  if (error instanceof MailDeliveryError) {
    return `${channel} delivery failed: ${error.reason ?? 'unknown'}${error.responseCode === undefined ? '' : ` ${String(error.responseCode)}`}`;
  }
  return `${channel} delivery failed`;
}

/** Whether `error` is a delivery failure to report as such (anything else is a bug and propagates). */
export function isDeliveryFailure(error: unknown): boolean {
  return error instanceof SmsDeliveryError || error instanceof MailDeliveryError;
}
