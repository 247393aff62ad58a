/**
 * The key transparency log (modules/key-log): every add and removal of a messaging device's
 * credential key, as the entries of an append-only RFC 9162 Merkle tree laid out like the audit
 * log's (migration 0004). `key_log_entries` holds the entries with a gapless `log_index` as key
 * and the leaf hash of each; `key_log_nodes` every perfect subtree as it is completed (leaves at
 * level 0), so a proof costs O(log n) key lookups; `key_log_head` the one row every append locks
 * (size and frontier); `key_log_checkpoints` the signed tree heads (C2SP signed notes).
 *
 * Hashes are lower-case hex text and keys base64url text: portable across SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('key_log_entries')
    .addColumn('log_index', 'bigint', (c) => c.primaryKey())
    .addColumn('op', 'varchar(8)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('device_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('signature_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('leaf_hash', 'varchar(64)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('key_log_entries_account').on('key_log_entries').columns(['account_id', 'log_index']).execute();
  await db.schema
    .createTable('key_log_nodes')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('key_log_nodes_pk', ['level', 'idx'])
    .execute();
  await db.schema
    .createTable('key_log_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('frontier', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('key_log_checkpoints')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .execute();
  const head = db as unknown as Kysely<{ key_log_head: { id: number; tree_size: number; frontier: string } }>;
  await head.insertInto('key_log_head').values({ id: 1, tree_size: 0, frontier: '' }).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['key_log_checkpoints', 'key_log_head', 'key_log_nodes', 'key_log_entries']) {
    await db.schema.dropTable(table).execute();
  }
}
