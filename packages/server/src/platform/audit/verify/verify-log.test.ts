/**
 * Full verification names the first entry that was changed, removed, inserted or reordered, on
 * SQLite and PostgreSQL, and catches a forger who also rebuilt every stored hash through the
 * signed checkpoints (ASVS 5.0 V16.4.2: logs cannot be modified unnoticed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test-support/databases.ts';
import { checkpointIfDue } from '../checkpoint/checkpointer.ts';
import { auditLogKey } from '../checkpoint/log-key.ts';
import { openAuditTestDatabase, writeSampleEvents, type AuditTestDatabase } from '../test-support/audit-database.ts';
import { changeEntry, deleteEntry, insertEntry, rebuildStoredTree, swapEntries } from '../test-support/tamper.ts';
import { verifyAuditLog, type VerifyReport } from './verify-log.ts';

const FORGED_ROW = {
  occurred_at: Date.UTC(2026, 10, 24, 5, 0, 0, 4),
  action: 'session.created',
  outcome: 'success' as const,
  actor_id: 'acct_forged',
  subject_id: 'acct_forged',
  session_id: null,
  request_id: null,
  ip_prefix: null,
  reason: null,
};

describe.each(testDatabases())('audit log verification on $dialect', ({ dialect }) => {
  let db: AuditTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  /** 40 entries with checkpoints at 10, 20, 30 and 40; pages of 8 leaves so problems cross page borders. */
  async function populated(): Promise<AuditTestDatabase> {
    const opened = await openAuditTestDatabase(dialect, { audit: { checkpointEveryEntries: 10, checkpointEverySeconds: 3600 } });
    for (let batch = 0; batch < 4; batch += 1) {
      await writeSampleEvents(opened, 10, batch * 10);
      await checkpointIfDue(opened.deps);
    }
    return opened;
  }

  const verify = (opened: AuditTestDatabase): Promise<VerifyReport> =>
    verifyAuditLog(opened.database.db, auditLogKey(opened.keyRing, opened.config), { pageSize: 8 });

  const first = (report: VerifyReport): { kind: string; entryIndex: number | null } => {
    const problem = report.problems[0];
    return { kind: problem?.kind ?? 'none', entryIndex: problem?.entryIndex ?? null };
  };

  it('reports an intact log with its size, root and checkpoints', async () => {
    db = await populated();
    const report = await verify(db);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ entries: 40, checkpoints: 4 });
    const empty = await openAuditTestDatabase(dialect);
    try {
      expect(await verify(empty)).toMatchObject({ entries: 0, checkpoints: 0, problems: [] });
    } finally {
      await empty.close();
    }
  });

  it('names a changed entry', async () => {
    db = await populated();
    await changeEntry(db.database.db, 17);
    await changeEntry(db.database.db, 33);
    const report = await verify(db);
    expect(first(report)).toEqual({ kind: 'changed', entryIndex: 17 });
    expect(report.problems[0]?.message).toBe('entry 17 was changed (its content no longer matches its leaf hash)');
  });

  it('names a removed entry, with or without the later entries renumbered', async () => {
    db = await populated();
    await deleteEntry(db.database.db, 9, { renumber: false });
    expect(first(await verify(db))).toEqual({ kind: 'removed', entryIndex: 9 });
    await db.close();
    db = await populated();
    await deleteEntry(db.database.db, 22, { renumber: true });
    const report = await verify(db);
    expect(first(report)).toEqual({ kind: 'removed', entryIndex: 22 });
    expect(report.problems[0]?.message).toMatch(/renumbered/);
  });

  it('names removed entries at the end of the log', async () => {
    db = await populated();
    await db.database.db.deleteFrom('audit_events').where('log_index', '>=', 38).execute();
    expect(first(await verify(db))).toEqual({ kind: 'removed', entryIndex: 38 });
  });

  it('names an inserted entry, in the middle (renumbered) or after the end', async () => {
    db = await populated();
    await insertEntry(db.database.db, 4, FORGED_ROW);
    expect(first(await verify(db))).toEqual({ kind: 'inserted', entryIndex: 4 });
    await db.close();
    db = await populated();
    await db.database.db
      .insertInto('audit_events')
      .values({ log_index: 40, ...FORGED_ROW })
      .execute();
    expect(first(await verify(db))).toEqual({ kind: 'inserted', entryIndex: 40 });
  });

  it('names reordered entries, adjacent or far apart', async () => {
    db = await populated();
    await swapEntries(db.database.db, 12, 13);
    const adjacent = await verify(db);
    expect(first(adjacent)).toEqual({ kind: 'reordered', entryIndex: 12 });
    expect(adjacent.problems[0]?.message).toBe('entry 12 was reordered: it now holds the entry logged at index 13');
    await db.close();
    db = await populated();
    await swapEntries(db.database.db, 3, 29);
    expect(first(await verify(db))).toEqual({ kind: 'reordered', entryIndex: 3 });
  });

  it('catches a changed entry whose leaf hash was rewritten too, by the subtree above it', async () => {
    db = await populated();
    await changeEntry(db.database.db, 21);
    const [row] = await db.database.db.selectFrom('audit_events').selectAll().where('log_index', '=', 21).execute();
    const { leafHashOfRow } = await import('../log/entry.ts');
    await db.database.db
      .updateTable('audit_log_nodes')
      .set({ hash: leafHashOfRow(row!).toString('hex') })
      .where('level', '=', 0)
      .where('idx', '=', 21)
      .execute();
    const report = await verify(db);
    expect(first(report)).toEqual({ kind: 'rewritten', entryIndex: 20 });
    expect(report.problems[0]?.message).toMatch(/entries 20–21/);
  });

  it('catches a forger who rebuilt every stored hash, through the signed checkpoints', async () => {
    db = await populated();
    await changeEntry(db.database.db, 25);
    await rebuildStoredTree(db.database.db);
    const report = await verify(db);
    expect(first(report)).toEqual({ kind: 'rewritten', entryIndex: 20 });
    expect(report.problems[0]?.message).toMatch(/tree of 30 entries no longer matches its signed checkpoint: entries 20–29/);
  });

  it('refuses a checkpoint whose signature no longer verifies, and a head that was changed', async () => {
    db = await populated();
    await db.database.db
      .updateTable('audit_log_checkpoints')
      .set({ root_hash: '00'.repeat(32) })
      .where('tree_size', '=', 20)
      .execute();
    await db.database.db
      .updateTable('audit_log_head')
      .set({ frontier: 'ff'.repeat(32) })
      .execute();
    const report = await verify(db);
    expect(report.problems.map((p) => p.kind).sort()).toEqual(['checkpoint', 'head']);
    expect(report.problems.find((p) => p.kind === 'checkpoint')?.message).toMatch(/checkpoint for 20 entries is not valid/);
  });

  describe('with pages summarised in worker threads', () => {
    const inWorkers = (opened: AuditTestDatabase): Promise<VerifyReport> =>
      verifyAuditLog(opened.database.db, auditLogKey(opened.keyRing, opened.config), {
        pageSize: 8,
        workers: { count: 2, config: opened.config },
      });

    it('reports the same intact log', async () => {
      db = await populated();
      const [inline, parallel] = [await verify(db), await inWorkers(db)];
      expect(parallel.problems).toEqual([]);
      expect(parallel.entries).toBe(40);
      expect(parallel.root.equals(inline.root)).toBe(true);
    });

    it('names the same first problem as the inline verification', async () => {
      db = await populated();
      await changeEntry(db.database.db, 27);
      await deleteEntry(db.database.db, 33, { renumber: true });
      expect(first(await inWorkers(db))).toEqual({ kind: 'changed', entryIndex: 27 });
      await db.close();
      db = await populated();
      await changeEntry(db.database.db, 25);
      await rebuildStoredTree(db.database.db);
      expect(first(await inWorkers(db))).toEqual({ kind: 'rewritten', entryIndex: 20 });
    });
  });
});
