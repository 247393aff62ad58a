/**
 * The tamper-evident audit log (RFC 9162 Merkle tree). `audit_events` is rebuilt with a gapless
 * `log_index` as its key (each event is the log entry of that index), and three tables hold the
 * tree: `audit_log_nodes` (every perfect subtree as it is completed, leaves at level 0, so a
 * proof costs O(log n) key lookups), `audit_log_head` (one row that every append locks: size and
 * frontier) and `audit_log_checkpoints` (signed tree heads). Events written before this
 * migration become the first entries, in the order they happened.
 *
 * Hashes are lower-case hex text: portable across SQLite and PostgreSQL and readable in SQL.
 */
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { leafHashOfRow, type AuditEventRow } from '../../audit/log/entry.ts';
import { formatFrontier } from '../../merkle/frontier-text.ts';
import { Frontier } from '../../merkle/frontier.ts';

/** Rows per multi-row insert: well under both dialects' bound-parameter limits. */
const BATCH = 500;

interface LegacyEvent extends AuditEventRow {
  id: string;
}

async function createLogTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)')
    .addColumn('subject_id', 'varchar(64)')
    .addColumn('session_id', 'varchar(64)')
    .addColumn('request_id', 'varchar(64)')
    .addColumn('ip_prefix', 'varchar(64)')
    .addColumn('reason', 'varchar(64)')
    // Named: the renamed old table still owns PostgreSQL's default name `audit_events_pkey`.
    .addPrimaryKeyConstraint('audit_log_entries_pk', ['log_index'])
    .execute();
  await db.schema
    .createTable('audit_log_nodes')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_nodes_pk', ['level', 'idx'])
    .execute();
  await db.schema
    .createTable('audit_log_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('frontier', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_log_checkpoints')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .execute();
}

/** Appends the events recorded before the log existed, oldest first, exactly as `writeAuditEvent` would. */
async function backfill(db: Kysely<unknown>): Promise<Frontier> {
  const legacy = db as unknown as Kysely<{ audit_events_unlogged: LegacyEvent }>;
  const events = await legacy.selectFrom('audit_events_unlogged').selectAll().orderBy('occurred_at').orderBy('id').execute();
  const frontier = new Frontier();
  const target = db as unknown as Kysely<{
    audit_events: AuditEventRow & { log_index: number };
    audit_log_nodes: { level: number; idx: number; hash: string };
  }>;
  for (let offset = 0; offset < events.length; offset += BATCH) {
    const rows: (AuditEventRow & { log_index: number })[] = [];
    const nodes: { level: number; idx: number; hash: string }[] = [];
    for (const { id: _id, ...event } of events.slice(offset, offset + BATCH)) {
      rows.push({ log_index: frontier.size, ...event });
      for (const node of frontier.append(leafHashOfRow(event)))
        nodes.push({ level: node.level, idx: node.index, hash: node.hash.toString('hex') });
    }
    await target.insertInto('audit_events').values(rows).execute();
    for (let start = 0; start < nodes.length; start += BATCH) {
      await target
        .insertInto('audit_log_nodes')
        .values(nodes.slice(start, start + BATCH))
        .execute();
    }
  }
  return frontier;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').renameTo('audit_events_unlogged').execute();
  await createLogTables(db);
  const frontier = await backfill(db);
  const head = db as unknown as Kysely<{ audit_log_head: { id: number; tree_size: number; frontier: string } }>;
  await head
    .insertInto('audit_log_head')
    .values({ id: 1, tree_size: frontier.size, frontier: formatFrontier(frontier) })
    .execute();
  // Dropping the old table drops its index, whose name the new indexes may reuse on PostgreSQL.
  await db.schema.dropTable('audit_events_unlogged').execute();
  await db.schema.createIndex('audit_events_occurred').on('audit_events').columns(['occurred_at', 'log_index']).execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_id', 'log_index']).execute();
  await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject_id', 'log_index']).execute();
  await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'log_index']).execute();
}

/** Back to a plain event table: the entries stay, their tree and checkpoints are dropped. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').renameTo('audit_events_logged').execute();
  for (const index of ['audit_events_occurred', 'audit_events_actor', 'audit_events_subject', 'audit_events_action']) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)')
    .addColumn('subject_id', 'varchar(64)')
    .addColumn('session_id', 'varchar(64)')
    .addColumn('request_id', 'varchar(64)')
    .addColumn('ip_prefix', 'varchar(64)')
    .addColumn('reason', 'varchar(64)')
    .execute();
  const tables = db as unknown as Kysely<{
    audit_events_logged: AuditEventRow & { log_index: number };
    audit_events: LegacyEvent;
  }>;
  const events = await tables.selectFrom('audit_events_logged').selectAll().orderBy('log_index').execute();
  for (let offset = 0; offset < events.length; offset += BATCH) {
    await tables
      .insertInto('audit_events')
      .values(events.slice(offset, offset + BATCH).map(({ log_index: _index, ...event }) => ({ id: randomUUID(), ...event })))
      .execute();
  }
  for (const table of ['audit_events_logged', 'audit_log_nodes', 'audit_log_head', 'audit_log_checkpoints']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.createIndex('audit_events_occurred').on('audit_events').column('occurred_at').execute();
}
