/**
 * Erasure (modules/erasure). `accounts.erased_at` marks a tombstone: an erased account keeps
 * only its id (so audit entries and entries it wrote in others' files still point somewhere)
 * and no way to find or enter it. `account_erasures` holds each erasure: one asked for by an
 * administrator waits here (`erased_at` null) until a second administrator approves it; a
 * person's own erasure is written already done. `receipt` is the JSON receipt (counts only, no
 * personal data); `reason` is the requesting administrator's free text, never copied to the
 * audit log. Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('erased_at', 'bigint').execute();
  await db.schema
    .createTable('account_erasures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)')
    .addColumn('requested_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('approved_by', 'varchar(36)')
    .addColumn('erased_at', 'bigint')
    .addColumn('receipt', 'text')
    .execute();
  await db.schema.createIndex('account_erasures_pending').on('account_erasures').columns(['erased_at', 'requested_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_erasures').execute();
  await db.schema.alterTable('accounts').dropColumn('erased_at').execute();
}
