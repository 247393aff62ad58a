/**
 * The key transparency log's store: appends get consecutive indexes inside the caller's
 * transaction and roll back with it; every entry's leaf is SHA-256(0x00 ‖ its version-1
 * encoding); the stored tree is exactly the RFC 9162 tree of those leaves; checkpoints are C2SP
 * signed notes under the log's own origin and key; served proofs verify against them; and
 * requests outside the log are refused with KEY_LOG_PROOF_RANGE_INVALID.
 */
import { encodeKeyLogEntry } from '@portcullis/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { withTransaction } from '../../platform/db/index.ts';
import { hashLeaf, treeRoot, verifyConsistency, verifyInclusion } from '../../platform/merkle/index.ts';
import { openNote, parseCheckpoint, parseVerifierKey } from '../../platform/signed-note/index.ts';
import { appendKeyLogEntry } from './append.ts';
import { currentCheckpoint, keyLogKey, keyLogOrigin } from './checkpoint.ts';
import { keyLogLeafHash, leafHashOfRow } from './entry.ts';
import { getKeyLogCheckpoint, getKeyLogConsistency, getKeyLogEntry } from './service.ts';
import { readHead } from './store.ts';
import { appendSamples, openKeyLogTestDatabase, sampleAppend, type KeyLogTestDatabase } from './test-support/key-log-database.ts';

const fromB64url = (text: string): Buffer => Buffer.from(text, 'base64url');

describe('key log entry encoding (version 1)', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const entry = { index: 5, op: 'add', accountId: 'acct_1', deviceId: 'dev_1', signatureKey: key, at: 1765098000000 } as const;

  it('lays out version, index, op, length-prefixed ids and key, and time, big-endian', () => {
    const expected = [
      '01',
      '0000000000000005',
      '01',
      '06',
      Buffer.from('acct_1').toString('hex'),
      '05',
      Buffer.from('dev_1').toString('hex'),
      '20',
      Buffer.from(key).toString('hex'),
      (1765098000000).toString(16).padStart(16, '0'),
    ].join('');
    expect(Buffer.from(encodeKeyLogEntry(entry)).toString('hex')).toBe(expected);
    // The published test vector (docs/security/key-transparency.md).
    expect(keyLogLeafHash(entry).toString('hex')).toBe('1dc0318afbd34e40069ba4367736d9b012b23ef6daff2989a4220a7d3c1169e9');
    expect(keyLogLeafHash({ ...entry, op: 'remove' }).equals(keyLogLeafHash(entry))).toBe(false);
    expect(keyLogLeafHash({ ...entry, index: 2 ** 53 - 1 }).length).toBe(32);
  });

  it('refuses ids, keys, indexes and times outside the encoding', () => {
    const bad = [
      { accountId: 'acct:1' },
      { accountId: '' },
      { deviceId: 'x'.repeat(65) },
      { deviceId: 'dév' },
      { signatureKey: new Uint8Array(31) },
      { signatureKey: new Uint8Array(33) },
      { index: -1 },
      { index: 1.5 },
      { at: Number.NaN },
      { op: 'replace' },
    ];
    for (const change of bad) expect(() => encodeKeyLogEntry({ ...entry, ...change } as never), JSON.stringify(change)).toThrow(TypeError);
  });
});

describe.each(testDatabases())('key log on $dialect', ({ dialect }) => {
  let db: KeyLogTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('gives each entry the next index and stores exactly the tree of their leaves', async () => {
    db = await openKeyLogTestDatabase(dialect);
    await appendSamples(db, 13);
    const rows = await db.database.db.selectFrom('key_log_entries').selectAll().orderBy('log_index').execute();
    expect(rows.map((row) => row.log_index)).toEqual([...Array(13).keys()]);
    for (const row of rows) {
      expect(row.leaf_hash).toBe(leafHashOfRow(row).toString('hex'));
      expect(row.signature_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(rows[3]?.op).toBe('remove');
    const head = await readHead(db.database.db);
    expect(head.size).toBe(13);
    expect(head.frontier.root().equals(treeRoot(rows.map(leafHashOfRow)))).toBe(true);
  });

  it('commits the entry with the caller’s change, and rolls both back together', async () => {
    db = await openKeyLogTestDatabase(dialect);
    const kysely = db.database.db;
    const { index } = await withTransaction(kysely, (tx) => appendKeyLogEntry(tx, sampleAppend(0), db!.clock));
    expect(index).toBe(0);
    await expect(
      withTransaction(kysely, async (tx) => {
        await appendKeyLogEntry(tx, sampleAppend(1), db!.clock);
        throw new Error('the caller’s change failed');
      }),
    ).rejects.toThrow('the caller’s change failed');
    expect((await readHead(kysely)).size).toBe(1);
    expect(await kysely.selectFrom('key_log_entries').select('log_index').execute()).toEqual([{ log_index: 0 }]);
    expect((await withTransaction(kysely, (tx) => appendKeyLogEntry(tx, sampleAppend(2), db!.clock))).index).toBe(1);
  });

  it('refuses to append outside a transaction, or an entry the encoding refuses, before touching the log', async () => {
    db = await openKeyLogTestDatabase(dialect);
    const kysely = db.database.db;
    await expect(appendKeyLogEntry(kysely, sampleAppend(0))).rejects.toThrow(TypeError);
    await expect(
      withTransaction(kysely, (tx) => appendKeyLogEntry(tx, { ...sampleAppend(0), signatureKey: new Uint8Array(16) })),
    ).rejects.toThrow(TypeError);
    await expect(withTransaction(kysely, (tx) => appendKeyLogEntry(tx, { ...sampleAppend(0), deviceId: 'a:b' }))).rejects.toThrow(
      TypeError,
    );
    expect((await readHead(kysely)).size).toBe(0);
  });

  it('signs the current tree as a C2SP checkpoint under its own origin and key, once per size', async () => {
    db = await openKeyLogTestDatabase(dialect);
    const key = keyLogKey(db.keyRing, db.config);
    expect(keyLogOrigin({ publicUrl: 'https://auth.example.com' })).toBe('auth.example.com/portcullis/key-log');
    expect(key.origin).toBe('portcullis.test/portcullis/key-log');
    // Not the audit log's key.
    expect(key.signer.publicKey.equals(db.keyRing.key('audit-signing'))).toBe(false);

    const empty = await getKeyLogCheckpoint(db.deps);
    expect(empty.treeSize).toBe(0);
    expect(parseCheckpoint(openNote(empty.note, parseVerifierKey(empty.verifierKey))).root.toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );

    await appendSamples(db, 5);
    const checkpoint = await getKeyLogCheckpoint(db.deps);
    expect(checkpoint.verifierKey).toBe(key.verifier.text);
    const body = parseCheckpoint(openNote(checkpoint.note, key.verifier));
    const rows = await db.database.db.selectFrom('key_log_entries').selectAll().orderBy('log_index').execute();
    expect(body).toEqual({ origin: key.origin, size: 5, root: treeRoot(rows.map(leafHashOfRow)) });
    expect(fromB64url(checkpoint.rootHash).equals(body.root)).toBe(true);
    expect(checkpoint.note.split('\n')[4]).toMatch(/^— portcullis\.test\/portcullis\/key-log /);

    db.clock.advance(60_000);
    expect((await currentCheckpoint(db.deps)).created_at).toBe((await currentCheckpoint(db.deps)).created_at);
    const sizes = await db.database.db.selectFrom('key_log_checkpoints').select('tree_size').orderBy('tree_size').execute();
    expect(sizes.map((row) => row.tree_size)).toEqual([0, 5]);
  });

  it('serves entries whose inclusion proofs verify against the signed root, for every entry and size', async () => {
    db = await openKeyLogTestDatabase(dialect);
    await appendSamples(db, 11);
    const rows = await db.database.db.selectFrom('key_log_entries').selectAll().orderBy('log_index').execute();
    const leaves = rows.map(leafHashOfRow);
    for (let size = 1; size <= 11; size += 1) {
      const root = treeRoot(leaves, size);
      for (let index = 0; index < size; index += 1) {
        const { entry, inclusionProof } = await getKeyLogEntry(db.deps, 'viewer', index, size);
        expect(entry.index).toBe(index);
        expect(inclusionProof).toMatchObject({ leafIndex: index, treeSize: size });
        const leaf = hashLeaf(encodeKeyLogEntry({ ...entry, signatureKey: fromB64url(entry.signatureKey) }));
        expect(verifyInclusion(index, size, leaf, inclusionProof.proof.map(fromB64url), root), `${index} of ${size}`).toBe(true);
      }
    }
  });

  it('serves consistency proofs between any two sizes the log reached', async () => {
    db = await openKeyLogTestDatabase(dialect);
    await appendSamples(db, 9);
    const rows = await db.database.db.selectFrom('key_log_entries').selectAll().orderBy('log_index').execute();
    const leaves = rows.map(leafHashOfRow);
    for (let to = 1; to <= 9; to += 1) {
      for (let from = 1; from <= to; from += 1) {
        const { proof } = await getKeyLogConsistency(db.deps, from, to);
        expect(verifyConsistency(from, to, treeRoot(leaves, from), treeRoot(leaves, to), proof.map(fromB64url)), `${from} → ${to}`).toBe(
          true,
        );
      }
    }
  });

  it('refuses proofs outside the log with KEY_LOG_PROOF_RANGE_INVALID', async () => {
    db = await openKeyLogTestDatabase(dialect);
    await appendSamples(db, 3);
    for (const [index, size] of [
      [3, 3],
      [0, 4],
      [0, 0],
      [-1, 2],
    ] as const) {
      await expect(getKeyLogEntry(db.deps, 'viewer', index, size)).rejects.toMatchObject({ code: 'KEY_LOG_PROOF_RANGE_INVALID' });
    }
    for (const [from, to] of [
      [0, 2],
      [2, 1],
      [1, 4],
    ] as const) {
      await expect(getKeyLogConsistency(db.deps, from, to)).rejects.toMatchObject({ code: 'KEY_LOG_PROOF_RANGE_INVALID' });
    }
  });

  it('hides an entry the visibility rule refuses, as if there were none', async () => {
    db = await openKeyLogTestDatabase(dialect);
    await appendSamples(db, 2);
    const deps = {
      ...db.deps,
      entryVisible: (viewer: string, entry: { accountId: string }) => Promise.resolve(viewer === entry.accountId),
    };
    const owner = sampleAppend(1).accountId;
    expect((await getKeyLogEntry(deps, owner, 1, 2)).entry.accountId).toBe(owner);
    await expect(getKeyLogEntry(deps, 'someone-else', 1, 2)).rejects.toMatchObject({ code: 'KEY_LOG_ENTRY_NOT_FOUND' });
  });
});
