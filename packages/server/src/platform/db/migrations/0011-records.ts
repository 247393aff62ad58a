/**
 * The patient file and its sharing grants. `record_entries.body_ciphertext` holds the entry text
 * only sealed with AES-256-GCM, bound to the entry id and the patient id (modules/records/body-cipher.ts).
 * `record_grants` says which account (a clinician) may read — or, with scope `write`, also add
 * to — which patient's file; revoking sets `revoked_at` and keeps the row as history. Every
 * query on these tables is scoped to the caller by modules/records/scope.ts. Timestamps are
 * epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('record_entries')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('patient_account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('author_account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('body_ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('record_entries_patient').on('record_entries').columns(['patient_account_id', 'created_at']).execute();

  await db.schema
    .createTable('record_grants')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('patient_account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('grantee_account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('scope', 'varchar(8)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('record_grants_grantee').on('record_grants').columns(['grantee_account_id', 'patient_account_id']).execute();
  await db.schema.createIndex('record_grants_patient').on('record_grants').column('patient_account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['record_grants', 'record_entries']) {
    await db.schema.dropTable(table).execute();
  }
}
