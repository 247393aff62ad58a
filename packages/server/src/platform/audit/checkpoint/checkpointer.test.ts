/**
 * Signed checkpoints: cut every `audit.checkpointEveryEntries` entries or `checkpointEverySeconds`
 * seconds, signed with the key ring's `audit-signing` key as C2SP checkpoints, and never signed
 * for a tree that contradicts an earlier checkpoint (ASVS 5.0 V16.4.2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test-support/databases.ts';
import { treeRoot } from '../../merkle/tree.ts';
import { leafHashOfRow } from '../log/entry.ts';
import { openAuditTestDatabase, writeSampleEvents, type AuditTestDatabase } from '../test-support/audit-database.ts';
import { parseCheckpoint } from '../../signed-note/checkpoint.ts';
import { checkpointIfDue, latestCheckpointRow, scheduleCheckpoints } from './checkpointer.ts';
import { auditLogKey, auditOrigin } from './log-key.ts';
import { openNote } from '../../signed-note/signed-note.ts';

describe.each(testDatabases())('audit checkpoints on $dialect', ({ dialect }) => {
  let db: AuditTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  const open = (everyEntries: number, everySeconds: number): Promise<AuditTestDatabase> =>
    openAuditTestDatabase(dialect, { audit: { checkpointEveryEntries: everyEntries, checkpointEverySeconds: everySeconds } });

  it('signs the current tree head as a C2SP checkpoint that the published verifier key opens', async () => {
    db = await open(10, 3600);
    expect(await checkpointIfDue(db.deps)).toBeUndefined();
    await writeSampleEvents(db, 3);
    const row = await checkpointIfDue(db.deps);
    expect(row?.tree_size).toBe(3);
    const key = auditLogKey(db.keyRing, db.config);
    expect(key.origin).toBe('portcullis.test/audit');
    expect(auditOrigin({ publicUrl: 'https://auth.example.com', audit: { checkpointEveryEntries: 1, checkpointEverySeconds: 1 } })).toBe(
      'auth.example.com/audit',
    );
    const body = parseCheckpoint(openNote(row!.note, key.verifier));
    const rows = await db.database.db.selectFrom('audit_events').selectAll().orderBy('log_index').execute();
    expect(body).toEqual({ origin: 'portcullis.test/audit', size: 3, root: treeRoot(rows.map(leafHashOfRow)) });
    expect(row!.note.split('\n')[4]).toMatch(/^— portcullis\.test\/audit /);
  });

  it('cuts a checkpoint after N entries or T seconds, whichever comes first, and not before', async () => {
    db = await open(5, 60);
    await writeSampleEvents(db, 1);
    expect((await checkpointIfDue(db.deps))?.tree_size).toBe(1); // the first one is always due
    await writeSampleEvents(db, 4);
    expect(await checkpointIfDue(db.deps)).toBeUndefined();
    await writeSampleEvents(db, 1);
    expect((await checkpointIfDue(db.deps))?.tree_size).toBe(6);
    await writeSampleEvents(db, 2);
    db.clock.advance(59_000);
    expect(await checkpointIfDue(db.deps)).toBeUndefined();
    db.clock.advance(1_000);
    expect((await checkpointIfDue(db.deps))?.tree_size).toBe(8);
    db.clock.advance(120_000);
    expect(await checkpointIfDue(db.deps)).toBeUndefined(); // time passed, but the log did not grow
    expect((await checkpointIfDue(db.deps, { force: true }))?.tree_size).toBeUndefined();
  });

  it('V16.4.2: refuses to sign a tree that rewrote entries covered by an earlier checkpoint', async () => {
    db = await open(1, 60);
    await writeSampleEvents(db, 4);
    await checkpointIfDue(db.deps);
    await writeSampleEvents(db, 2, 4);
    // Someone with database access rewrites the subtree over the first four (checkpointed)
    // entries and the head's copy of it, consistently, so only the checkpoint can tell.
    const forged = 'ab'.repeat(32);
    await db.database.db.updateTable('audit_log_nodes').set({ hash: forged }).where('level', '=', 2).where('idx', '=', 0).execute();
    const head = await db.database.db.selectFrom('audit_log_head').select('frontier').executeTakeFirstOrThrow();
    await db.database.db
      .updateTable('audit_log_head')
      .set({ frontier: forged + head.frontier.slice(forged.length) })
      .execute();
    await expect(checkpointIfDue(db.deps)).rejects.toThrow(/refusing to sign/);
    expect((await latestCheckpointRow(db.database.db))?.tree_size).toBe(4);
  });

  it('refuses to sign when a stored checkpoint no longer verifies', async () => {
    db = await open(1, 60);
    await writeSampleEvents(db, 2);
    await checkpointIfDue(db.deps);
    const row = await latestCheckpointRow(db.database.db);
    await db.database.db
      .updateTable('audit_log_checkpoints')
      .set({ note: row!.note.replace('\n2\n', '\n1\n') })
      .execute();
    await writeSampleEvents(db, 1, 2);
    await expect(checkpointIfDue(db.deps)).rejects.toThrow();
  });

  it('runs on a schedule until stopped, reporting failures instead of throwing', async () => {
    db = await open(1, 1);
    await writeSampleEvents(db, 2);
    const errors: unknown[] = [];
    const schedule = scheduleCheckpoints(db.deps, (error) => errors.push(error));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await schedule.stop();
    expect(errors).toEqual([]);
    expect((await latestCheckpointRow(db.database.db))?.tree_size).toBe(2);
  });
});
