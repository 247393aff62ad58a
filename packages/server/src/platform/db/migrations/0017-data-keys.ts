/**
 * Per-person data keys (platform/data-protection). `data_keys` holds each subject's 256-bit data
 * key only wrapped by a key-service KEK (`kek_version` names which), never in clear; a subject is
 * an account id, or a reserved `~…` id for keys that belong to the service (the blind-index key,
 * values of no account yet). `erased_subjects` remembers whose keys were destroyed, so none is
 * ever created for them again. Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_keys')
    .addColumn('subject_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kek_version', 'varchar(32)', (c) => c.notNull())
    .addColumn('wrapped', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_keys_pk', ['subject_id', 'version'])
    .execute();
  await db.schema.createIndex('data_keys_kek_version').on('data_keys').column('kek_version').execute();

  await db.schema
    .createTable('erased_subjects')
    .addColumn('subject_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('erased_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('erased_subjects').execute();
  await db.schema.dropTable('data_keys').execute();
}
