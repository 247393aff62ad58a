/**
 * @module platform/mailer
 *
 * Outgoing email: the `Mailer` port, its SMTP (production) and outbox (development) adapters,
 * the choice between them, the outbox listing used by `portcullis outbox` and the development
 * route, and the message templates. Never logs a message body: bodies carry one-time codes.
 */
export { MailDeliveryError, assertMailMessage, mailTransportFor } from './mailer.ts';
export type { MailMessage, Mailer, MailerClock, MailTransport } from './mailer.ts';
export { SMTP_TIMEOUT_MS, createSmtpMailer, isLoopbackHost, smtpTransportOptions } from './smtp-mailer.ts';
export type { SmtpMailerOptions } from './smtp-mailer.ts';
export {
  OUTBOX_DEFAULT_LIMIT,
  OUTBOX_MAX_LIMIT,
  createOutboxMailer,
  formatOutboxMessage,
  listOutbox,
  openOutboxRow,
  storeOutboxMessage,
} from './outbox-mailer.ts';
export type { OutboxMailerDeps, OutboxMessage } from './outbox-mailer.ts';
export { createMailer } from './create-mailer.ts';
export type { MailerDeps } from './create-mailer.ts';
export {
  PRODUCT_NAME,
  emailVerificationMessage,
  newSignInMessage,
  passwordChangedMessage,
  passwordResetMessage,
  secondFactorLockedMessage,
  signInCodeMessage,
  signUpAttemptMessage,
  toSafeLine,
} from './templates.ts';
export type { CodeMessageParams, MailTemplate, NewSignInParams, PasswordChangedParams } from './templates.ts';
