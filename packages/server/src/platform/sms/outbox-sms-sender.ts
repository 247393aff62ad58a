/**
 * @module platform/sms/outbox-sms-sender
 *
 * The development `SmsSender`: instead of sending, it stores each message in the `outbox` table
 * (channel `sms`), where `portcullis outbox` and `GET /v1/dev/outbox` show it next to the
 * development mail, sealed like it. The messages hold live one-time codes, which is why production refuses to start with SMS codes enabled and no provider, and
 * `createSmsSender` refuses this adapter in production.
 */
import { storeOutboxMessage, type OutboxMailerDeps } from '../mailer/index.ts';
import { assertSmsMessage, type SmsSender } from './sms-sender.ts';

/** The same store as the development mail: number and text are sealed under the service subject. */
export type OutboxSmsSenderDeps = OutboxMailerDeps;

/** What the outbox shows as the subject of a text message (SMS have none). */
export const SMS_OUTBOX_SUBJECT = 'Text message (SMS)';

/**
 * @example
 * const sms = createOutboxSmsSender({ db: database.db, clock });
 */
export function createOutboxSmsSender(deps: OutboxSmsSenderDeps): SmsSender {
  return {
    async send(message) {
      assertSmsMessage(message);
      await storeOutboxMessage(deps, { channel: 'sms', to: message.to, subject: SMS_OUTBOX_SUBJECT, text: message.text });
    },
  };
}
