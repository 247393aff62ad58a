/**
 * @module platform/mailer/outbox-mailer
 *
 * The development `Mailer`: instead of sending, it stores each message in the `outbox` table,
 * where `portcullis outbox` and `GET /v1/dev/outbox` show it. The messages hold live one-time
 * codes, which is why production refuses to start without an SMTP server and `createMailer`
 * refuses this adapter in production. Recipient, subject and body are stored only sealed under
 * the service subject (platform/data-protection), bound to the message row: a copy of the
 * database or the data directory reads no address, number or code without the key service.
 */
import type { Kysely } from 'kysely';
import { randomBase64Url } from '../crypto/index.ts';
import { SERVICE_SUBJECT, type DataProtection, type FieldLocation } from '../data-protection/index.ts';
import type { Database, OutboxTable } from '../db/index.ts';
import { assertMailMessage, type Mailer, type MailerClock } from './mailer.ts';

export interface OutboxMailerDeps {
  /** The database, or a transaction so the message commits with the change that caused it. */
  readonly db: Kysely<Database>;
  readonly clock: MailerClock;
  /** Seals each message under the service subject. */
  readonly dataProtection: DataProtection;
}

/** What reading the outbox needs: the database and the key service's data protection. */
export type OutboxReader = Pick<OutboxMailerDeps, 'db' | 'dataProtection'>;

/** The columns sealed under the service subject. */
type SealedColumn = 'recipient' | 'subject' | 'body';

const outboxAt = (id: string, column: SealedColumn): FieldLocation => ({ table: 'outbox', column, rowId: id });

/** Stores one message (mail or text) with its recipient, subject and body sealed. */
export async function storeOutboxMessage(
  deps: OutboxMailerDeps,
  message: { readonly channel: OutboxTable['channel']; readonly to: string; readonly subject: string; readonly text: string },
): Promise<void> {
  const id = randomBase64Url(16);
  const seal = (column: SealedColumn, value: string) => deps.dataProtection.seal(deps.db, SERVICE_SUBJECT, value, outboxAt(id, column));
  await deps.db
    .insertInto('outbox')
    .values({
      id,
      channel: message.channel,
      recipient: await seal('recipient', message.to),
      subject: await seal('subject', message.subject),
      body: await seal('body', message.text),
      created_at: deps.clock.now(),
    })
    .execute();
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
 * const mailer = createOutboxMailer({ db: database.db, clock: { now: () => Date.now() }, dataProtection });
 */
export function createOutboxMailer(deps: OutboxMailerDeps): Mailer {
  return {
    async send(message) {
      assertMailMessage(message);
      await storeOutboxMessage(deps, { channel: 'email', to: message.to, subject: message.subject, text: message.text });
    },
  };
}

/**
 * The newest `limit` outbox messages (1 to `OUTBOX_MAX_LIMIT`), newest first.
 *
 * @example
 * const [latest] = await listOutbox({ db: database.db, dataProtection }, 1);
 */
export async function listOutbox(deps: OutboxReader, limit: number = OUTBOX_DEFAULT_LIMIT): Promise<OutboxMessage[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > OUTBOX_MAX_LIMIT) {
    throw new TypeError(`listOutbox: limit must be an integer from 1 to ${OUTBOX_MAX_LIMIT}`);
  }
  const rows = await deps.db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return Promise.all(rows.map((row) => openOutboxRow(deps, row)));
}

/** One stored row, opened. */
export async function openOutboxRow(deps: OutboxReader, row: OutboxTable): Promise<OutboxMessage> {
  const open = (column: SealedColumn) => deps.dataProtection.open(deps.db, SERVICE_SUBJECT, row[column], outboxAt(row.id, column));
  return {
    id: row.id,
    channel: row.channel,
    to: await open('recipient'),
    subject: await open('subject'),
    text: await open('body'),
    createdAt: row.created_at,
  };
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
