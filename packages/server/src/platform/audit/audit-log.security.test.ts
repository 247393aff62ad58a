/**
 * Security invariants of the tamper-evident audit log (ASVS 5.0 V16.4.2: logs cannot be
 * modified unnoticed; V16.3: every security event is recorded; V16.2.1, V16.2.2, V16.2.5,
 * V16.4.1: entries carry who/what/when/where in UTC, no secrets, and cannot inject structure).
 *
 * - Concurrent appends, each in its own transaction, yield one valid tree: no gap, no duplicate.
 * - A crash in the middle of an append leaves the log exactly as the last commit left it, and the
 *   next append continues correctly.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv } from '../../test-support/cli.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { withTransaction } from '../db/index.ts';
import { writeAuditEvent } from './audit.ts';
import { auditLogKey } from './checkpoint/log-key.ts';
import { encodeEntry, entryFromRow, leafHashOfRow } from './log/entry.ts';
import { readHead } from './log/store.ts';
import { treeRoot } from '../merkle/tree.ts';
import { openAuditTestDatabase, sampleEvent, writeSampleEvents, type AuditTestDatabase } from './test-support/audit-database.ts';
import { verifyAuditLog } from './verify/verify-log.ts';

const CRASH_SCRIPT = fileURLToPath(new URL('./test-support/crash-mid-append.ts', import.meta.url));

function runCrashingAppend(env: Readonly<Record<string, string>>): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_SCRIPT], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('close', (_code, signal) => resolve({ signal, stdout })));
}

describe.each(testDatabases())('audit log security invariants on $dialect', ({ dialect }) => {
  let db: AuditTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('V16.4.2: 1,000 concurrent appends, each in its own transaction, form one valid tree with no gap and no duplicate', async () => {
    // 1,000 transactions queue for the pool; let them wait instead of answering 503 after 3 s.
    db = await openAuditTestDatabase(dialect, { database: { poolSize: 20, connectTimeoutMs: 120_000 } });
    const { db: kysely } = db.database;
    const count = 1000;
    await Promise.all(
      Array.from({ length: count }, (_, n) => withTransaction(kysely, (tx) => writeAuditEvent(tx, db!.clock, sampleEvent(n)))),
    );
    const rows = await kysely.selectFrom('audit_events').selectAll().orderBy('log_index').execute();
    expect(rows.map((row) => row.log_index)).toEqual([...Array(count).keys()]);
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(count);
    expect((await readHead(kysely)).size).toBe(count);
    expect((await readHead(kysely)).frontier.root().equals(treeRoot(rows.map(leafHashOfRow)))).toBe(true);
    const report = await verifyAuditLog(kysely, auditLogKey(db.keyRing, db.config));
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(count);
  });

  it('V16.4.2: a process killed in the middle of an append leaves the log as last committed, and the next append is correct', async () => {
    db = await openAuditTestDatabase(dialect);
    const { db: kysely } = db.database;
    await writeSampleEvents(db, 5);
    const before = await readHead(kysely);

    const crashed = await runCrashingAppend(db.env);
    expect(crashed.stdout).toBe('crashing mid-append\n');
    expect(crashed.signal).toBe('SIGKILL');

    const after = await readHead(kysely);
    expect(after.size).toBe(5);
    expect(after.frontier.root().equals(before.frontier.root())).toBe(true);
    expect(await kysely.selectFrom('audit_events').select('actor_id').where('actor_id', '=', 'acct_crash').execute()).toEqual([]);
    expect((await verifyAuditLog(kysely, auditLogKey(db.keyRing, db.config))).problems).toEqual([]);

    await writeAuditEvent(kysely, db.clock, sampleEvent(5));
    const report = await verifyAuditLog(kysely, auditLogKey(db.keyRing, db.config));
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(6);
    expect(
      (await kysely.selectFrom('audit_events').select('log_index').where('session_id', '=', 'sess_5').executeTakeFirst())?.log_index,
    ).toBe(5);
  });

  it('V16.2.1, V16.2.2: every entry says who, what, when (UTC) and where, and nothing else', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeSampleEvents(db, 1);
    const row = await db.database.db.selectFrom('audit_events').selectAll().executeTakeFirstOrThrow();
    const entry = JSON.parse(encodeEntry(entryFromRow(row))) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['action', 'actor', 'ipPrefix', 'outcome', 'reason', 'requestId', 'session', 'subject', 'time']);
    expect(entry['time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('audit entry encoding', () => {
  it('V16.4.1: identifiers cannot inject fields or lines into an entry', () => {
    const hostile = '","outcome":"success"}\n{"action":"x';
    const text = encodeEntry(
      entryFromRow({
        occurred_at: 0,
        action: 'session.created',
        outcome: 'failure',
        actor_id: hostile,
        subject_id: null,
        session_id: null,
        request_id: null,
        ip_prefix: null,
        reason: null,
      }),
    );
    expect(text).not.toContain('\n');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed['actor']).toBe(hostile);
    expect(parsed['outcome']).toBe('failure');
  });
});
