/**
 * @module bench/benchmarks/audit-log
 *
 * What the tamper-evident audit log costs, as four function benchmarks:
 *
 * - `audit-append-sqlite` / `audit-append-postgres`: `writeAuditEvent` (the Merkle append: lock
 *   the head row, insert the entry and its completed subtrees, update the head) each in its own
 *   transaction, against the same event inserted as one plain row in its own transaction (what
 *   the audit door did before the log). PostgreSQL is `BENCH_DATABASE_URL`, or the local server
 *   at 127.0.0.1:5432, in a fresh schema per target.
 * - `audit-verify`: a full verification (`portcullis audit verify`) of a 1,000,000-entry SQLite
 *   log (`BENCH_AUDIT_ENTRIES`; far fewer in the CI smoke run) with a signed checkpoint every
 *   1,000 entries, against bare SHA-256 of the same canonical entries held in memory (the floor:
 *   re-hashing alone). One call is the whole log, so the table's p50 is the time per log; each
 *   call also prints entries/s.
 * - `audit-proof`: an inclusion proof for the latest entry of that log (`getInclusionProof`,
 *   one query for about twenty stored subtrees), against one primary-key lookup of a stored
 *   hash through the same connection (the floor: one database round trip).
 *
 * The log is built once per size, directly with better-sqlite3 (about half a minute for a
 * million entries), and kept in the temporary directory as
 * `portcullis-bench-audit-v1-<entries>.db` for later samples and runs; delete it to rebuild.
 */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { loadConfig, type Config } from '@portcullis/server';
// Server internals, imported with `.js`: the compiler will not rewrite a `.ts` path that leaves
// this project, and tsx maps `.js` to the `.ts` source at run time.
import { systemClock } from '../../packages/server/src/platform/clock/clock.js';
import { KEY_PURPOSES, keyRingFromFile } from '../../packages/server/src/platform/crypto/key-ring.js';
import { migrateToLatest, openDatabase, withTransaction, type DatabaseHandle } from '../../packages/server/src/platform/db/index.js';
import { createLogger } from '../../packages/server/src/platform/logging/logger.js';
import { writeAuditEvent, type AuditEvent } from '../../packages/server/src/platform/audit/audit.js';
import { getInclusionProof, type AuditLogDeps } from '../../packages/server/src/platform/audit/service.js';
import { auditLogKey } from '../../packages/server/src/platform/audit/checkpoint/log-key.js';
import { formatCheckpoint } from '../../packages/server/src/platform/signed-note/checkpoint.js';
import { signNote } from '../../packages/server/src/platform/signed-note/signed-note.js';
import { encodeEntry, entryFromRow, type AuditEventRow } from '../../packages/server/src/platform/audit/log/entry.js';
import { formatFrontier } from '../../packages/server/src/platform/merkle/frontier-text.js';
import { Frontier } from '../../packages/server/src/platform/merkle/frontier.js';
import { hashLeafText } from '../../packages/server/src/platform/merkle/hash.js';
import { verifyAuditLog } from '../../packages/server/src/platform/audit/verify/verify-log.js';
import { readSettings } from '../lib/settings.ts';
import type { Benchmark, FunctionTarget } from '../lib/types.ts';

const LOG_ENTRIES = readSettings(process.env).auditLogEntries;
const LOG_SIZE = LOG_ENTRIES.toLocaleString('en-US');
const CHECKPOINT_EVERY = 1_000;
const FIXTURE_FILE = path.join(tmpdir(), `portcullis-bench-audit-v1-${LOG_ENTRIES}.db`);
const PUBLIC_URL = 'https://bench.local';
/** A fixed key ring: the fixture's checkpoints must verify in every later target process. */
const RING = keyRingFromFile(
  {
    version: 1,
    development: true,
    keys: Object.fromEntries(KEY_PURPOSES.map((purpose, n) => [purpose, Buffer.alloc(32, n + 1).toString('base64')])),
  },
  'bench',
);
/** Calls in flight for the append benchmarks: more than one, so the head lock is contended. */
const APPEND_CONCURRENCY = 8;
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function config(dataDir: string, database: { url: string; schema?: string }): Config {
  return loadConfig({
    env: {},
    overrides: {
      environment: 'development',
      publicUrl: PUBLIC_URL,
      dataDir,
      database: { ...database, poolSize: APPEND_CONCURRENCY + 2 },
      log: { level: 'silent' },
      metrics: { enabled: false },
    },
  }).config;
}

/** The n-th synthetic event: identifiers only, shaped like the sessions module's. */
function event(n: number): AuditEvent {
  return {
    action: n % 2 === 0 ? 'session.created' : 'session.refreshed',
    outcome: 'success',
    actorId: `3f1c2d8e-0000-4000-8000-${String(n % 100_000).padStart(12, '0')}`,
    subjectId: `3f1c2d8e-0000-4000-8000-${String(n % 100_000).padStart(12, '0')}`,
    sessionId: randomBytes(16).toString('hex'),
    requestId: `9b1c2d8e-0000-4000-8000-${String(n).padStart(12, '0')}`,
    ipPrefix: '203.0.113.0/24',
    reason: null,
  };
}

function row(n: number, occurredAt: number): AuditEventRow {
  const e = event(n);
  return {
    occurred_at: occurredAt,
    action: e.action,
    outcome: e.outcome,
    actor_id: e.actorId ?? null,
    subject_id: e.subjectId ?? null,
    session_id: e.sessionId ?? null,
    request_id: e.requestId ?? null,
    ip_prefix: e.ipPrefix ?? null,
    reason: null,
  };
}

// ── Appends ─────────────────────────────────────────────────────────────────────────────────

interface AppendTarget {
  readonly database: DatabaseHandle;
  readonly dataDir: string;
}

async function openAppendTarget(dialect: 'sqlite' | 'postgres'): Promise<AppendTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portcullis-bench-audit-'));
  const database =
    dialect === 'sqlite'
      ? { url: 'sqlite:bench.db' }
      : { url: process.env['BENCH_DATABASE_URL'] || DEFAULT_POSTGRES_URL, schema: `bench_${randomBytes(6).toString('hex')}` };
  const resolved = config(dataDir, database);
  const handle = openDatabase(resolved, createLogger(resolved));
  await migrateToLatest(handle);
  return { database: handle, dataDir };
}

async function closeAppendTarget(target: AppendTarget): Promise<void> {
  if (target.database.schema !== undefined) await sql`drop schema ${sql.id(target.database.schema)} cascade`.execute(target.database.db);
  await target.database.close();
  rmSync(target.dataDir, { recursive: true, force: true });
}

function appendSide(dialect: 'sqlite' | 'postgres'): () => Promise<FunctionTarget> {
  return async () => {
    const target = await openAppendTarget(dialect);
    let n = 0;
    return {
      concurrency: APPEND_CONCURRENCY,
      call: () => withTransaction(target.database.db, (tx) => writeAuditEvent(tx, systemClock, event(n++))),
      close: () => closeAppendTarget(target),
    };
  };
}

/** The audit door before the log: one row per event, no ordering, no hashes. */
function plainInsertSide(dialect: 'sqlite' | 'postgres'): () => Promise<FunctionTarget> {
  return async () => {
    const target = await openAppendTarget(dialect);
    const db = target.database.db as unknown as Kysely<{ audit_events_plain: AuditEventRow & { id: string } }>;
    await db.schema
      .createTable('audit_events_plain')
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
    await db.schema.createIndex('audit_events_plain_occurred').on('audit_events_plain').column('occurred_at').execute();
    let n = 0;
    return {
      concurrency: APPEND_CONCURRENCY,
      call: () =>
        db.transaction().execute((tx) =>
          tx
            .insertInto('audit_events_plain')
            .values({ id: randomUUID(), ...row(n++, systemClock.now()) })
            .execute(),
        ),
      close: () => closeAppendTarget(target),
    };
  };
}

// ── The large log ───────────────────────────────────────────────────────────────────────────

/** Writes the log straight into SQLite (same rows, hashes and checkpoints as the appends would), then renames it into place. */
async function buildFixture(): Promise<void> {
  const building = `${FIXTURE_FILE}.building-${process.pid}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portcullis-bench-audit-'));
  const resolved = config(dataDir, { url: `sqlite:${building}` });
  const handle = openDatabase(resolved, createLogger(resolved));
  await migrateToLatest(handle);
  await handle.close();
  const key = auditLogKey(RING, resolved);
  const sqlite = new BetterSqlite3(building);
  sqlite.pragma('journal_mode = WAL');
  const insertEntry = sqlite.prepare(
    'insert into audit_events (log_index, occurred_at, action, outcome, actor_id, subject_id, session_id, request_id, ip_prefix, reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertNode = sqlite.prepare('insert into audit_log_nodes (level, idx, hash) values (?, ?, ?)');
  const insertCheckpoint = sqlite.prepare('insert into audit_log_checkpoints (tree_size, root_hash, created_at, note) values (?, ?, ?, ?)');
  const frontier = new Frontier();
  const start = Date.UTC(2026, 0, 1);
  sqlite.transaction(() => {
    for (let n = 0; n < LOG_ENTRIES; n += 1) {
      const r = row(n, start + n * 10);
      insertEntry.run(n, r.occurred_at, r.action, r.outcome, r.actor_id, r.subject_id, r.session_id, r.request_id, r.ip_prefix, r.reason);
      for (const node of frontier.append(hashLeafText(encodeEntry(entryFromRow(r)))))
        insertNode.run(node.level, node.index, node.hash.toString('hex'));
      if (frontier.size % CHECKPOINT_EVERY === 0) {
        const root = frontier.root();
        const note = signNote(formatCheckpoint({ origin: key.origin, size: frontier.size, root }), key.origin, key.signer);
        insertCheckpoint.run(frontier.size, root.toString('hex'), r.occurred_at, note);
      }
    }
    sqlite.prepare('update audit_log_head set tree_size = ?, frontier = ? where id = 1').run(frontier.size, formatFrontier(frontier));
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(building, FIXTURE_FILE);
}

async function openFixture(): Promise<{ deps: AuditLogDeps; config: Config; close: () => Promise<void> }> {
  if (!existsSync(FIXTURE_FILE)) {
    const started = performance.now();
    await buildFixture();
    process.stderr.write(
      `  (built the ${LOG_ENTRIES.toLocaleString('en-US')}-entry audit log in ${((performance.now() - started) / 1000).toFixed(1)} s: ${FIXTURE_FILE})\n`,
    );
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portcullis-bench-audit-'));
  const resolved = config(dataDir, { url: `sqlite:${FIXTURE_FILE}` });
  const handle = openDatabase(resolved, createLogger(resolved));
  return {
    deps: { db: handle.db, clock: systemClock, keyRing: RING, config: resolved },
    config: resolved,
    close: async () => {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function setupVerify(): Promise<FunctionTarget> {
  const fixture = await openFixture();
  const key = auditLogKey(RING, fixture.deps.config);
  return {
    concurrency: 1,
    call: async () => {
      const started = performance.now();
      // As `portcullis audit verify` runs it: pages summarised in one worker thread per core.
      const report = await verifyAuditLog(fixture.deps.db, key, {
        workers: { count: Math.min(availableParallelism(), 4), config: fixture.config },
      });
      const seconds = (performance.now() - started) / 1000;
      if (report.problems.length > 0 || report.entries !== LOG_ENTRIES)
        throw new Error(`verification failed: ${report.problems[0]?.message ?? report.entries}`);
      process.stderr.write(
        `    verified ${report.entries.toLocaleString('en-US')} entries and ${report.checkpoints} checkpoints in ${seconds.toFixed(2)} s: ${Math.round(report.entries / seconds).toLocaleString('en-US')} entries/s\n`,
      );
    },
    close: fixture.close,
  };
}

/** Bare SHA-256 of the same canonical entries, from memory: the cost floor of re-hashing the log. */
async function setupHashOnly(): Promise<FunctionTarget> {
  const fixture = await openFixture();
  const rows = await fixture.deps.db.selectFrom('audit_events').selectAll().orderBy('log_index').execute();
  const entries = rows.map((r) => Buffer.from(`\u0000${encodeEntry(entryFromRow(r))}`));
  await fixture.close();
  return {
    concurrency: 1,
    call: () => {
      const started = performance.now();
      for (const entry of entries) hash('sha256', entry, 'buffer');
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `    hashed ${entries.length.toLocaleString('en-US')} entries in ${seconds.toFixed(2)} s: ${Math.round(entries.length / seconds).toLocaleString('en-US')} entries/s\n`,
      );
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

async function setupProof(): Promise<FunctionTarget> {
  const fixture = await openFixture();
  return {
    concurrency: 1,
    call: async () => {
      const proof = await getInclusionProof(fixture.deps, LOG_ENTRIES - 1, LOG_ENTRIES);
      if (proof.proof.length === 0) throw new Error('empty proof');
    },
    close: fixture.close,
  };
}

async function setupNodeLookup(): Promise<FunctionTarget> {
  const fixture = await openFixture();
  return {
    concurrency: 1,
    call: () =>
      fixture.deps.db
        .selectFrom('audit_log_nodes')
        .select('hash')
        .where('level', '=', 0)
        .where('idx', '=', LOG_ENTRIES - 1)
        .executeTakeFirstOrThrow(),
    close: fixture.close,
  };
}

export const auditLogBenchmarks: readonly Benchmark[] = [
  {
    name: 'audit-append-sqlite',
    description: `audit events appended per second on SQLite: writeAuditEvent (Merkle append) vs. one plain insert, each in its own transaction, ${APPEND_CONCURRENCY} in flight`,
    target: 0.5,
    sides: {
      candidate: { kind: 'function', label: 'writeAuditEvent, SQLite', setup: appendSide('sqlite') },
      baseline: { kind: 'function', label: 'plain insert, SQLite', setup: plainInsertSide('sqlite') },
    },
  },
  {
    name: 'audit-append-postgres',
    description: `audit events appended per second on PostgreSQL: writeAuditEvent (Merkle append, head row locked) vs. one plain insert, each in its own transaction, ${APPEND_CONCURRENCY} in flight`,
    // Appends hold the head row until their commit, so commits (WAL flushes) happen one at a time,
    // while the plain inserts share flushes (group commit). 0.1 flags anything worse than that.
    target: 0.1,
    sides: {
      candidate: { kind: 'function', label: 'writeAuditEvent, PostgreSQL', setup: appendSide('postgres') },
      baseline: { kind: 'function', label: 'plain insert, PostgreSQL', setup: plainInsertSide('postgres') },
    },
  },
  {
    name: 'audit-verify',
    description: `full verification of a ${LOG_SIZE}-entry log (one op = the whole log; target >= 200,000 entries/s, i.e. p50 <= ${(LOG_ENTRIES / 200).toLocaleString('en-US')} ms) vs. bare SHA-256 of the same ${LOG_SIZE} entries`,
    // Bare hashing runs at about 800,000 entries/s here, so 0.25 is the 200,000 entries/s target.
    target: 0.25,
    sides: {
      candidate: { kind: 'function', label: `verifyAuditLog, ${LOG_SIZE} entries`, setup: setupVerify },
      baseline: { kind: 'function', label: `SHA-256 of ${LOG_SIZE} entries`, setup: setupHashOnly },
    },
  },
  {
    name: 'audit-proof',
    description: `inclusion proof for the latest entry of a ${LOG_SIZE}-entry log (target p50 < 5 ms) vs. one primary-key lookup of a stored hash`,
    // A proof is O(log n) lookups: about 20 for a million entries, so at least 1/20 of one lookup's rate.
    target: 0.05,
    sides: {
      candidate: { kind: 'function', label: `getInclusionProof(n-1, n), ${LOG_SIZE}`, setup: setupProof },
      baseline: { kind: 'function', label: 'one stored-hash lookup', setup: setupNodeLookup },
    },
  },
];
