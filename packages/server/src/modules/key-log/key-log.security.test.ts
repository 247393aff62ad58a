/**
 * Security invariants of the key transparency log (ASVS 5.0 V16.4.2: a log cannot be modified
 * unnoticed; V11.4.3: integrity rests on a collision-resistant hash, SHA-256; V11.6.1: checkpoints
 * carry Ed25519 signatures; V9.1.1, V9.1.3: a signed tree head is accepted only with a valid
 * signature by the pre-configured log key).
 *
 * - Concurrent appends, each in its own transaction, get a gap-free sequence and one valid tree.
 * - An entry covered by a checkpoint cannot be rewritten, even with every stored hash rebuilt to
 *   match: the log refuses to sign the rewritten tree, no consistency proof links it to the
 *   earlier checkpoint, and the rewritten entry's inclusion proof fails against the earlier root.
 * - A stored entry that no longer hashes to its leaf is never served.
 * - A checkpoint signed by another key, or altered after signing, is refused.
 */
import { encodeKeyLogEntry } from '@portcullis/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { withTransaction } from '../../platform/db/index.ts';
import { hashLeaf, treeRoot, verifyConsistency, verifyInclusion } from '../../platform/merkle/index.ts';
import {
  ed25519SignerFromSeed,
  formatCheckpoint,
  noteVerifier,
  openNote,
  parseCheckpoint,
  signNote,
  SignedNoteError,
} from '../../platform/signed-note/index.ts';
import { appendKeyLogEntry } from './append.ts';
import { currentCheckpoint, keyLogKey, latestCheckpointRow, openCheckpoint } from './checkpoint.ts';
import { leafHashOfRow } from './entry.ts';
import { getKeyLogCheckpoint, getKeyLogConsistency, getKeyLogEntry } from './service.ts';
import { readHead, readRoot } from './store.ts';
import {
  appendSamples,
  openKeyLogTestDatabase,
  sampleAppend,
  sampleKey,
  type KeyLogTestDatabase,
} from './test-support/key-log-database.ts';
import { rewriteEntryConsistently } from './test-support/tamper.ts';

const fromB64url = (text: string): Buffer => Buffer.from(text, 'base64url');

describe.each(testDatabases())('key log security invariants on $dialect', ({ dialect }) => {
  let db: KeyLogTestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('V16.4.2: 200 concurrent appends, each in its own transaction, form one gap-free sequence and one valid tree', async () => {
    db = await openKeyLogTestDatabase(dialect, { database: { poolSize: 20, connectTimeoutMs: 120_000 } });
    const kysely = db.database.db;
    const count = 200;
    const indexes = await Promise.all(
      Array.from({ length: count }, (_, n) => withTransaction(kysely, (tx) => appendKeyLogEntry(tx, sampleAppend(n), db!.clock))),
    );
    expect(indexes.map((r) => r.index).sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
    const rows = await kysely.selectFrom('key_log_entries').selectAll().orderBy('log_index').execute();
    expect(rows.map((row) => row.log_index)).toEqual([...Array(count).keys()]);
    expect(new Set(rows.map((row) => row.device_id)).size).toBe(count);
    const head = await readHead(kysely);
    expect(head.size).toBe(count);
    expect(head.frontier.root().equals(treeRoot(rows.map(leafHashOfRow)))).toBe(true);
    expect((await readRoot(kysely, count)).equals(head.frontier.root())).toBe(true);
  });

  it('V16.4.2: a checkpointed entry rewritten with every stored hash rebuilt is caught by the earlier checkpoint', async () => {
    db = await openKeyLogTestDatabase(dialect);
    const kysely = db.database.db;
    const key = keyLogKey(db.keyRing, db.config);
    await appendSamples(db, 4);
    const earlier = parseCheckpoint(openNote((await getKeyLogCheckpoint(db.deps)).note, key.verifier));
    expect(earlier.size).toBe(4);

    // Swap the key of device 1 for one of the attacker's, then make the whole stored tree agree.
    const forgedKey = Buffer.from(sampleKey(999)).toString('base64url');
    await rewriteEntryConsistently(kysely, 1, { signature_key: forgedKey });
    await appendSamples(db, 2, 4);

    // The log will not sign it.
    await expect(currentCheckpoint(db.deps)).rejects.toThrow(/refusing to sign/);
    expect((await latestCheckpointRow(kysely))?.tree_size).toBe(4);

    // Served proofs link the forged tree to nothing a client holds.
    const forgedRoot = await readRoot(kysely, 6);
    const { proof } = await getKeyLogConsistency(db.deps, 4, 6);
    expect(verifyConsistency(4, 6, earlier.root, forgedRoot, proof.map(fromB64url))).toBe(false);
    const { entry, inclusionProof } = await getKeyLogEntry(db.deps, 'viewer', 1, 4);
    expect(entry.signatureKey).toBe(forgedKey);
    const leaf = hashLeaf(encodeKeyLogEntry({ ...entry, signatureKey: fromB64url(entry.signatureKey) }));
    expect(verifyInclusion(1, 4, leaf, inclusionProof.proof.map(fromB64url), earlier.root)).toBe(false);
  });

  it('V16.4.2: an entry edited in the database without its hashes is never served', async () => {
    db = await openKeyLogTestDatabase(dialect);
    await appendSamples(db, 3);
    await db.database.db.updateTable('key_log_entries').set({ device_id: 'dev_forged' }).where('log_index', '=', 2).execute();
    await expect(getKeyLogEntry(db.deps, 'viewer', 2, 3)).rejects.toThrow(/does not hash to its stored leaf/);
    await expect(getKeyLogEntry(db.deps, 'viewer', 1, 3)).resolves.toBeDefined();
  });

  it('V9.1.1, V9.1.3, V11.6.1: a checkpoint signed by another key, or altered after signing, is refused', async () => {
    db = await openKeyLogTestDatabase(dialect);
    const key = keyLogKey(db.keyRing, db.config);
    await appendSamples(db, 3);
    const genuine = await getKeyLogCheckpoint(db.deps);

    // Same origin, same body, another key: the pinned verifier finds no signature of its own.
    const impostor = ed25519SignerFromSeed(Buffer.alloc(32, 0x42));
    const body = formatCheckpoint({ origin: key.origin, size: 3, root: fromB64url(genuine.rootHash) });
    const forged = signNote(body, key.origin, impostor);
    expect(() => openNote(forged, key.verifier)).toThrow(SignedNoteError);
    expect(() => openNote(forged, noteVerifier(key.origin, impostor.publicKey))).not.toThrow();

    // The genuine note with a changed size or root no longer verifies.
    expect(() => openNote(genuine.note.replace('\n3\n', '\n4\n'), key.verifier)).toThrow(/does not verify/);
    const otherRoot = Buffer.alloc(32, 7).toString('base64');
    const rootLine = genuine.note.split('\n')[2] ?? '';
    expect(() => openNote(genuine.note.replace(rootLine, otherRoot), key.verifier)).toThrow(/does not verify/);

    // A stored checkpoint replaced with the forged one stops the log from signing on.
    await db.database.db.updateTable('key_log_checkpoints').set({ note: forged }).where('tree_size', '=', 3).execute();
    const row = await latestCheckpointRow(db.database.db);
    expect(() => openCheckpoint(row!, key)).toThrow(SignedNoteError);
    await appendSamples(db, 1, 3);
    await expect(currentCheckpoint(db.deps)).rejects.toThrow(SignedNoteError);
  });
});
