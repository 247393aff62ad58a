/**
 * @module platform/mailer/create-mailer
 *
 * Chooses the `Mailer` adapter from configuration: SMTP when `mail.smtpUrl` is set, otherwise
 * the development outbox. The outbox is refused in production even if a caller skipped the
 * configuration guards, because it would keep one-time codes readable in the database.
 */
import type { Config } from '../../config/schema.ts';
import { createOutboxMailer, type OutboxMailerDeps } from './outbox-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';
import { mailTransportFor, type Mailer } from './mailer.ts';

export type MailerDeps = OutboxMailerDeps;

/**
 * @example
 * const mailer = createMailer(config, { db: database.db, clock });
 */
export function createMailer(config: Pick<Config, 'environment' | 'mail'>, deps: MailerDeps): Mailer {
  if (mailTransportFor(config) === 'smtp' && config.mail.smtpUrl) {
    return createSmtpMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from });
  }
  if (config.environment === 'production') {
    throw new TypeError('mail.smtpUrl is required in production: the development outbox would keep codes in the database');
  }
  return createOutboxMailer(deps);
}
