/**
 * Reading the development outbox in tests. Its messages are sealed under the service subject
 * (platform/mailer/outbox-mailer.ts), so tests open them as `listOutbox` does and filter here.
 */
import { openOutboxRow, type OutboxMessage } from '../platform/mailer/index.ts';
import type { DataDb, DataProtection } from '../platform/data-protection/index.ts';

interface Services {
  readonly portcullis: { readonly dataProtection: DataProtection; readonly database: { readonly db: DataDb } };
}

/** Every outbox message (optionally only those to `to` and of `channel`), newest first. */
export async function outboxMessages(
  app: Services,
  filter: { readonly to?: string; readonly channel?: OutboxMessage['channel'] } = {},
): Promise<OutboxMessage[]> {
  const { db } = app.portcullis.database;
  const rows = await db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  const messages = await Promise.all(rows.map((row) => openOutboxRow({ db, dataProtection: app.portcullis.dataProtection }, row)));
  return messages.filter(
    (message) =>
      (filter.to === undefined || message.to === filter.to) && (filter.channel === undefined || message.channel === filter.channel),
  );
}
