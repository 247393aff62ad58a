/**
 * @module platform/sms/templates
 *
 * The text messages Portcullis sends. They follow the mail template rules (platform/mailer
 * templates.ts): no links; the code appears once, with how long it is valid and a warning not to
 * share it; the message says what to do if it was not you. Text messages have no subject, and
 * lock screens show their beginning, so they start with the product name and purpose rather than
 * the code. Each stays within one 160-character GSM-7 segment.
 */
import { PRODUCT_NAME } from '../mailer/index.ts';

export interface SmsCodeParams {
  /** The one-time code, digits only. */
  readonly code: string;
  /** Whole minutes until the code expires. */
  readonly validForMinutes: number;
}

function assertParams(params: SmsCodeParams): void {
  if (!/^[0-9]{4,10}$/.test(params.code)) throw new TypeError('sms template: code must be 4 to 10 digits');
  if (!Number.isInteger(params.validForMinutes) || params.validForMinutes < 1) {
    throw new TypeError('sms template: validForMinutes must be a positive integer');
  }
}

/** Sent when someone adds this number to their account. */
export function phoneVerificationSms(params: SmsCodeParams): string {
  assertParams(params);
  return `${PRODUCT_NAME}: ${params.code} is your code to add this phone. Valid ${String(params.validForMinutes)} min. Never share it. Not you? Ignore this.`;
}

/** Sent during sign-in, after the password was right. */
export function signInCodeSms(params: SmsCodeParams): string {
  assertParams(params);
  return `${PRODUCT_NAME}: ${params.code} is your sign-in code. Valid ${String(params.validForMinutes)} min. Never share it. Not you? Change your password.`;
}
