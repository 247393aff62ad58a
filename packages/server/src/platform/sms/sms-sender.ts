/**
 * @module platform/sms/sms-sender
 *
 * The `SmsSender` port: the one way the server sends a text message. Messages carry one-time
 * codes and go to personal phone numbers, so no adapter logs a message, a number or the
 * provider's credential, and failures carry a generic message plus a machine `reason` and the
 * provider's HTTP status — never the provider's answer, which may quote the number.
 */

/** One text message to one phone number in E.164 form. */
export interface SmsMessage {
  readonly to: string;
  readonly text: string;
}

export interface SmsSender {
  /** Sends one message; resolves once the provider (or the outbox table) has accepted it. */
  send(message: SmsMessage): Promise<void>;
}

export type SmsDeliveryFailure =
  /** No answer within the configured timeout (the message may still be delivered). */
  | 'timeout'
  /** The connection failed: refused, reset, name not resolved. */
  | 'network'
  /** The provider's certificate did not verify (or TLS failed otherwise); nothing was sent. */
  | 'tls'
  /** The provider answered 4xx other than 429: it refused this message or our credential. */
  | 'provider_refused'
  /** The provider answered 429 or 5xx: try again later. */
  | 'provider_unavailable'
  /** The provider answered with a redirect, which is never followed (it would carry the credential elsewhere). */
  | 'provider_redirected';

/**
 * The message could not be handed to the SMS provider. Safe to log as is: it holds no number,
 * text, credential or provider answer.
 */
export class SmsDeliveryError extends Error {
  override readonly name = 'SmsDeliveryError';
  readonly reason: SmsDeliveryFailure;
  /** The provider's HTTP status when it answered, otherwise undefined. */
  readonly status: number | undefined;

  constructor(reason: SmsDeliveryFailure, options: { readonly status?: number } = {}) {
    super(
      `The text message could not be handed to the SMS provider (${reason}${options.status === undefined ? '' : ` ${String(options.status)}`})`,
    );
    this.reason = reason;
    this.status = options.status;
  }
}

/** E.164: `+`, country code and number, 7 to 15 digits. */
export const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;

/** Three concatenated GSM-7 segments; our messages are far shorter. */
export const MAX_SMS_TEXT_LENGTH = 459;

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const TEXT_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Rejects a message that could not be a correct SMS (programming errors, hence `TypeError`). */
export function assertSmsMessage(message: SmsMessage): void {
  if (typeof message.to !== 'string' || !E164_PATTERN.test(message.to)) throw new TypeError('sms message: `to` must be one E.164 number');
  const { text } = message;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_SMS_TEXT_LENGTH || TEXT_UNSAFE.test(text)) {
    throw new TypeError(`sms message: \`text\` must be 1 to ${String(MAX_SMS_TEXT_LENGTH)} printable characters`);
  }
}
