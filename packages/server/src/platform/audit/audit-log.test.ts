/**
 * The audit door writes a Merkle log: each event becomes the entry of the next index, its
 * canonical JSON is the hashed leaf, every completed subtree is stored, and the head tracks the
 * tree, on SQLite and PostgreSQL alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { withTransaction } from '../db/index.ts';
import { writeAuditEvent } from './audit.ts';
import { AUDIT_ACTIONS } from './catalogue.ts';
import { entryFromRow, encodeEntry, leafHashOfRow } from './log/entry.ts';
import { readHead, readRoot } from './log/store.ts';
import { completeNodeCount } from '../merkle/subtrees.ts';
import { treeRoot } from '../merkle/tree.ts';
import { openAuditTestDatabase, sampleEvent, writeSampleEvents, type AuditTestDatabase } from './test-support/audit-database.ts';

describe.each(testDatabases())('audit log on $dialect', ({ dialect }) => {
  let db: AuditTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('gives each event the next index and stores exactly the tree of their canonical entries', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeSampleEvents(db, 13);
    const rows = await db.database.db.selectFrom('audit_events').selectAll().orderBy('log_index').execute();
    expect(rows.map((row) => row.log_index)).toEqual([...Array(13).keys()]);
    expect(encodeEntry(entryFromRow(rows[0]!))).toBe(
      '{"action":"session.created","actor":"acct_0","ipPrefix":"203.0.113.0/24","outcome":"failure","reason":"bad_password",' +
        '"requestId":"req_0","session":"sess_0","subject":"acct_0","time":"2026-11-24T05:00:00.001Z"}',
    );
    const leaves = rows.map(leafHashOfRow);
    expect((await readRoot(db.database.db, 13)).equals(treeRoot(leaves))).toBe(true);
    const head = await readHead(db.database.db);
    expect(head.size).toBe(13);
    expect(head.frontier.root().equals(treeRoot(leaves))).toBe(true);
    const nodes = await db.database.db.selectFrom('audit_log_nodes').select(['level', 'idx']).execute();
    expect(nodes.length).toBe(completeNodeCount(13));
    const storedLeaves = await db.database.db
      .selectFrom('audit_log_nodes')
      .select(['idx', 'hash'])
      .where('level', '=', 0)
      .orderBy('idx')
      .execute();
    expect(storedLeaves.map((leaf) => leaf.hash)).toEqual(leaves.map((leaf) => leaf.toString('hex')));
  });

  it('commits the entry with the change it records, and rolls both back together', async () => {
    db = await openAuditTestDatabase(dialect);
    const { db: kysely } = db.database;
    await withTransaction(kysely, async (tx) => {
      await tx.insertInto('instance_meta').values({ key: 'kept', value: '1' }).execute();
      await writeAuditEvent(tx, db!.clock, sampleEvent(0));
    });
    await expect(
      withTransaction(kysely, async (tx) => {
        await tx.insertInto('instance_meta').values({ key: 'dropped', value: '1' }).execute();
        await writeAuditEvent(tx, db!.clock, sampleEvent(1));
        throw new Error('the change failed after it was audited');
      }),
    ).rejects.toThrow('the change failed');
    expect((await readHead(kysely)).size).toBe(1);
    await writeAuditEvent(kysely, db.clock, sampleEvent(2));
    const rows = await kysely.selectFrom('audit_events').select(['log_index', 'session_id']).orderBy('log_index').execute();
    expect(rows).toEqual([
      { log_index: 0, session_id: 'sess_0' },
      { log_index: 1, session_id: 'sess_2' },
    ]);
  });

  it('opens a transaction of its own when called outside one', async () => {
    db = await openAuditTestDatabase(dialect);
    await writeAuditEvent(db.database.db, db.clock, sampleEvent(0));
    expect((await readHead(db.database.db)).size).toBe(1);
  });

  it('refuses a reason that is not a short code before touching the log', async () => {
    db = await openAuditTestDatabase(dialect);
    await expect(writeAuditEvent(db.database.db, db.clock, { ...sampleEvent(0), reason: 'free text\nwith a newline' })).rejects.toThrow(
      TypeError,
    );
    expect((await readHead(db.database.db)).size).toBe(0);
  });
});

describe('audit actions', () => {
  it('are all named domain.verb_past', () => {
    for (const action of AUDIT_ACTIONS) expect(action).toMatch(/^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$/);
  });
});
