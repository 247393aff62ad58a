/**
 * Declared records (modules/records). `record_entries` gains `type` (a declared entry type) and
 * `fields` (JSON, field → value: `public` values as they are, every other one
 * `{ "sealed": … }` under the patient's own data key, bound to `record_entries`,
 * `fields/<field>`, the entry id and the patient). `profiles` holds each person's profile the
 * same way, with their per-field sharing choices.
 *
 * Entries written by the previous release had a fixed `kind` in clear and a `body_ciphertext`
 * sealed under a key derived from the server key ring. Each becomes a `file-entry` whose `kind`
 * and `note` (the body) are sealed for the patient, in batches; then both old columns are
 * dropped (neither has an index or constraint, so SQLite drops them in place and no table that
 * foreign keys point to is rebuilt). Once applied, no value is readable with the key ring alone.
 */
import type { Kysely } from 'kysely';
import { createSealer } from '../../crypto/index.ts';
import type { DataDb } from '../../data-protection/index.ts';
import { requireDeps, type MigrationDeps } from './deps.ts';

/** The previous release's entry-body key purpose; only this migration still opens such bodies. */
const LEGACY_BODY_PURPOSE = 'portcullis records entry-body aes-256-gcm v1';
const BATCH = 200;

interface LegacyEntry {
  id: string;
  patient_account_id: string;
  kind: string;
  body_ciphertext: string;
}

type LegacyDb = Kysely<{ record_entries: LegacyEntry & { fields: string } }>;

/** Re-seals one legacy entry per person: its kind and body become the sealed `kind` and `note` fields. */
async function convertEntry(db: Kysely<unknown>, deps: MigrationDeps, row: LegacyEntry): Promise<string> {
  const body = new TextDecoder().decode(
    createSealer(deps.keyRing, LEGACY_BODY_PURPOSE).open(row.body_ciphertext, [row.id, row.patient_account_id]),
  );
  const seal = async (field: string, value: string) => ({
    sealed: await deps.dataProtection.seal(db as unknown as DataDb, row.patient_account_id, JSON.stringify(value), {
      table: 'record_entries',
      column: `fields/${field}`,
      rowId: row.id,
    }),
  });
  return JSON.stringify({ kind: await seal('kind', row.kind), note: await seal('note', body) });
}

async function convertEntries(db: Kysely<unknown>, given: MigrationDeps | undefined): Promise<void> {
  const legacy = db as unknown as LegacyDb;
  let after = '';
  for (;;) {
    const rows = await legacy
      .selectFrom('record_entries')
      .select(['id', 'patient_account_id', 'kind', 'body_ciphertext'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    const last = rows.at(-1);
    if (!last) return;
    const deps = requireDeps(given, '0019-declared-records');
    for (const row of rows) {
      const fields = await convertEntry(db, deps, row);
      await legacy.updateTable('record_entries').set({ fields }).where('id', '=', row.id).execute();
    }
    after = last.id;
  }
}

async function migrate(db: Kysely<unknown>, deps: MigrationDeps | undefined): Promise<void> {
  await db.schema
    .createTable('profiles')
    .addColumn('account_id', 'varchar(36)', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('sharing', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Defaults only so existing rows satisfy NOT NULL; the application always writes both.
  await db.schema
    .alterTable('record_entries')
    .addColumn('type', 'varchar(32)', (c) => c.notNull().defaultTo('file-entry'))
    .execute();
  await db.schema
    .alterTable('record_entries')
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await convertEntries(db, deps);
  await db.schema.alterTable('record_entries').dropColumn('body_ciphertext').execute();
  await db.schema.alterTable('record_entries').dropColumn('kind').execute();
}

/**
 * One transaction for the whole change: PostgreSQL migrations already run in one, SQLite ones do
 * not — and a conversion stopped half-way (no deps, key service unreachable) must leave the
 * previous release's tables as they were, ready for the next attempt.
 */
export async function up(db: Kysely<unknown>, deps?: MigrationDeps): Promise<void> {
  await (db.isTransaction ? migrate(db, deps) : db.transaction().execute((tx) => migrate(tx, deps)));
}
