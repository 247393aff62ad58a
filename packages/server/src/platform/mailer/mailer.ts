/**
 * @module platform/mailer/mailer
 *
 * The `Mailer` port: the one way the server sends email. Messages are plain text and carry
 * one-time codes, so no adapter logs a message body, and failures carry a generic message with
 * the transport's error as `cause` (callers decide whether to retry, answer 503 or swallow).
 * Which adapter runs is decided once, from configuration, by `mailTransportFor`.
 */
import type { Config } from '../../config/schema.ts';

/** One plain-text email. `to` is a single address; `text` is the whole body. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Sends one message; resolves once the SMTP server (or the outbox table) has accepted it. */
  send(message: MailMessage): Promise<void>;
}

/** Epoch milliseconds, injected so tests control time (the shape of a platform `Clock` port). */
/** The platform Clock satisfies this. */
export interface MailerClock {
  now(): number;
}

/**
 * The message could not be handed to the mail server. The message is generic; `reason` and
 * `responseCode` are safe to log. The `cause` is the transport's own error, whose text may quote
 * the server's reply (which can include the recipient address): log it only where personal data
 * may go.
 */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  /** The transport's error code, e.g. `ECONNECTION`, `ETIMEDOUT`, `ETLS`, `EAUTH`, `EENVELOPE`. */
  readonly reason: string | undefined;
  /** The SMTP reply code when the server refused (e.g. 550), otherwise undefined. */
  readonly responseCode: number | undefined;

  constructor(options: { readonly cause: unknown }) {
    super('The email could not be handed to the mail server', { cause: options.cause });
    const cause = (typeof options.cause === 'object' && options.cause !== null ? options.cause : {}) as Record<string, unknown>;
    this.reason = typeof cause['code'] === 'string' ? cause['code'] : undefined;
    this.responseCode = typeof cause['responseCode'] === 'number' ? cause['responseCode'] : undefined;
  }
}

export type MailTransport = 'smtp' | 'outbox';

/**
 * `smtp` when `mail.smtpUrl` is set, otherwise `outbox` (development: messages are stored in the
 * database for `portcullis outbox` and `GET /v1/dev/outbox`). An empty URL counts as unset, as
 * in the production guard.
 */
export function mailTransportFor(config: Pick<Config, 'mail'>): MailTransport {
  return config.mail.smtpUrl ? 'smtp' : 'outbox';
}

const MAX_ADDRESS_LENGTH = 254; // RFC 5321 path limit; also the `outbox.recipient` column size.
const MAX_SUBJECT_LENGTH = 200;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const HEADER_UNSAFE = /[\u0000-\u001f\u007f]/;

/**
 * Rejects a message that could not be a correct email (programming errors, hence `TypeError`):
 * one recipient, no control characters in header fields (no header injection, whatever the
 * adapter), a non-empty body.
 */
export function assertMailMessage(message: MailMessage): void {
  const { to, subject, text } = message;
  if (typeof to !== 'string' || to.length === 0 || to.length > MAX_ADDRESS_LENGTH || HEADER_UNSAFE.test(to) || /[,;]/.test(to)) {
    throw new TypeError('mail message: `to` must be one email address');
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || HEADER_UNSAFE.test(subject)) {
    throw new TypeError(`mail message: \`subject\` must be one line of 1 to ${MAX_SUBJECT_LENGTH} characters`);
  }
  if (typeof text !== 'string' || text.length === 0) throw new TypeError('mail message: `text` must not be empty');
}
