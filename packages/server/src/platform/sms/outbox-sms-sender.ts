/**
 * @module platform/sms/outbox-sms-sender
 *
 * The development `SmsSender`: instead of sending, it stores each message in the `outbox` table
 * (channel `sms`), where `portcullis outbox` and `GET /v1/dev/outbox` show it next to the
 * development mail. The table then holds live one-time codes and phone numbers in clear text,
 * which is why production refuses to start with SMS codes enabled and no provider, and
 * `createSmsSender` refuses this adapter in production.
 */
import type { Kysely } from 'kysely';
import { randomBase64Url } from '../crypto/index.ts';
import type { Database } from '../db/index.ts';
import { assertSmsMessage, type SmsSender } from './sms-sender.ts';

export interface OutboxSmsSenderDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
}

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
      await deps.db
        .insertInto('outbox')
        .values({
          id: randomBase64Url(16),
          channel: 'sms',
          recipient: message.to,
          subject: SMS_OUTBOX_SUBJECT,
          body: message.text,
          created_at: deps.clock.now(),
        })
        .execute();
    },
  };
}
