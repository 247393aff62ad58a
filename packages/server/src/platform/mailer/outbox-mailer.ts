/**
 * @module platform/mailer/outbox-mailer
 *
 * The development `Mailer`: instead of sending, it stores each message in the `outbox` table,
 * where `portcullis outbox` and `GET /v1/dev/outbox` show it. The table holds live one-time
 * codes in clear text, which is why production refuses to start without an SMTP server and
 * `createMailer` refuses this adapter in production.
 */
import type { Kysely } from 'kysely';
import { randomBase64Url } from '../crypto/index.ts';
import type { Database } from '../db/index.ts';
import { assertMailMessage, type Mailer, type MailerClock } from './mailer.ts';

export interface OutboxMailerDeps {
  /** The database, or a transaction so the message commits with the change that caused it. */
  readonly db: Kysely<Database>;
  readonly clock: MailerClock;
}

/** One stored message, as `listOutbox` returns it. */
export interface OutboxMessage {
  readonly id: string;
  readonly channel: 'email' | 'sms';
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export const OUTBOX_DEFAULT_LIMIT = 20;
export const OUTBOX_MAX_LIMIT = 100;

/**
 * @example
 * const mailer = createOutboxMailer({ db: database.db, clock: { now: () => Date.now() } });
 */
export function createOutboxMailer(deps: OutboxMailerDeps): Mailer {
  return {
    async send(message) {
      assertMailMessage(message);
      await deps.db
        .insertInto('outbox')
        .values({
          id: randomBase64Url(16),
          channel: 'email',
          recipient: message.to,
          subject: message.subject,
          body: message.text,
          created_at: deps.clock.now(),
        })
        .execute();
    },
  };
}

/**
 * The newest `limit` outbox messages (1 to `OUTBOX_MAX_LIMIT`), newest first.
 *
 * @example
 * const [latest] = await listOutbox(database.db, 1);
 */
export async function listOutbox(db: Kysely<Database>, limit: number = OUTBOX_DEFAULT_LIMIT): Promise<OutboxMessage[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > OUTBOX_MAX_LIMIT) {
    throw new TypeError(`listOutbox: limit must be an integer from 1 to ${OUTBOX_MAX_LIMIT}`);
  }
  const rows = await db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    to: row.recipient,
    subject: row.subject,
    text: row.body,
    createdAt: row.created_at,
  }));
}

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * One message as `portcullis outbox` prints it: headers, a blank line, the body. Control
 * characters other than newline and tab are replaced, so stored text cannot drive the terminal.
 */
export function formatOutboxMessage(message: OutboxMessage): string {
  const clean = (value: string): string => value.replace(TERMINAL_UNSAFE, '\uFFFD');
  const body = clean(message.text);
  return [
    `To:      ${clean(message.to)}`,
    `Subject: ${clean(message.subject)}`,
    `Date:    ${new Date(message.createdAt).toISOString()}`,
    '',
    body.endsWith('\n') ? body : `${body}\n`,
  ].join('\n');
}
