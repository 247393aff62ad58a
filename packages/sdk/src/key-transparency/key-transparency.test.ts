/**
 * Client-side key transparency: entries are re-encoded byte for byte as documented (the same
 * test vector the server pins), C2SP notes and checkpoints are checked against the pinned key
 * (the published example note included), and a KeyLogMonitor keeps only checkpoints that are
 * consistent with what it saw before, refusing forks, rewritten history, forged signatures and
 * entries or credentials the log does not prove.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { KeyLogEntry, KeyLogEntryWithProof } from '@portcullis/protocol';
import { describe, expect, it } from 'vitest';
import { concatBytes, encodeBase64, encodeBase64urlBytes, utf8Encode } from './bytes.ts';
import { encodeKeyLogEntry, keyLogLeafHash } from './entry.ts';
import { isKeyTransparencyError, KeyTransparencyError, type KeyTransparencyErrorCode } from './errors.ts';
import { EMPTY_ROOT, hashChildren } from './merkle.ts';
import { KeyLogMonitor, MemoryKeyLogCheckpointStore, type KeyLogSource } from './monitor.ts';
import { formatCheckpointBody, openSignedNote, parseVerifierKey, verifyCheckpoint } from './signed-note.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

async function refusal(work: () => unknown): Promise<KeyTransparencyErrorCode | 'none'> {
  try {
    await work();
    return 'none';
  } catch (error) {
    if (error instanceof KeyTransparencyError) return error.code;
    throw error;
  }
}

// ── A log for the tests, built from the RFC 9162 definitions directly ─────────────────────────

function mth(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function path(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function subproof(m: number, leaves: readonly Uint8Array[], complete: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [mth(leaves)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), mth(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

const seed = new Uint8Array(32).fill(9);
const ORIGIN = 'clinic.example/portcullis/key-log';
function verifierText(name: string, publicKey: Uint8Array): string {
  const keyId = sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a, 0x01), publicKey)).subarray(0, 4);
  return `${name}+${hex(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(0x01), publicKey))}`;
}
const PINNED = verifierText(ORIGIN, ed25519.getPublicKey(seed));

function signCheckpoint(size: number, root: Uint8Array, key = seed, origin = ORIGIN): string {
  const text = formatCheckpointBody(origin, size, root);
  const publicKey = ed25519.getPublicKey(key);
  const keyId = sha256(concatBytes(utf8Encode(origin), Uint8Array.of(0x0a, 0x01), publicKey)).subarray(0, 4);
  const signature = ed25519.sign(utf8Encode(text), key);
  return `${text}\n\u2014 ${origin} ${encodeBase64(concatBytes(keyId, signature))}\n`;
}

function sampleEntry(index: number): KeyLogEntry {
  return {
    index,
    op: index % 3 === 2 ? 'remove' : 'add',
    accountId: `acct_${index % 2}`,
    deviceId: `dev_${index}`,
    signatureKey: encodeBase64urlBytes(new Uint8Array(32).fill(index + 1)),
    at: 1_765_098_000_000 + index,
  };
}

/** A server that serves `entries`, honestly unless a test bends it. */
class FakeLog implements KeyLogSource {
  entries: KeyLogEntry[] = [];
  /** Applied to every answer of `entry()`. */
  bendEntry: (answer: KeyLogEntryWithProof) => KeyLogEntryWithProof = (answer) => answer;

  append(count: number): void {
    for (let i = 0; i < count; i += 1) this.entries.push(sampleEntry(this.entries.length));
  }
  leaves(size = this.entries.length): Uint8Array[] {
    return this.entries.slice(0, size).map(keyLogLeafHash);
  }
  note(size = this.entries.length): string {
    return signCheckpoint(size, mth(this.leaves(size)));
  }
  checkpoint(): Promise<{ note: string }> {
    return Promise.resolve({ note: this.note() });
  }
  entry(index: number, treeSize: number): Promise<KeyLogEntryWithProof> {
    const proof = path(index, this.leaves(treeSize)).map(encodeBase64urlBytes);
    return Promise.resolve(this.bendEntry({ entry: this.entries[index]!, inclusionProof: { leafIndex: index, treeSize, proof } }));
  }
  consistency(fromSize: number, toSize: number): Promise<{ proof: readonly string[] }> {
    return Promise.resolve({ proof: subproof(fromSize, this.leaves(toSize), true).map(encodeBase64urlBytes) });
  }
}

describe('key log entry encoding (version 1)', () => {
  it('re-encodes the documented test vector byte for byte and hashes it to the published leaf', () => {
    const signatureKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const entry = { index: 5, op: 'add', accountId: 'acct_1', deviceId: 'dev_1', signatureKey, at: 1765098000000 } as const;
    expect(hex(encodeKeyLogEntry(entry))).toBe(
      '0100000000000000050106616363745f31056465765f31200102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f200000019af80a0e80',
    );
    expect(hex(keyLogLeafHash({ ...entry, signatureKey: encodeBase64urlBytes(signatureKey) }))).toBe(
      '1dc0318afbd34e40069ba4367736d9b012b23ef6daff2989a4220a7d3c1169e9',
    );
  });

  it('refuses entries outside the layout with ENTRY_INVALID', async () => {
    const good = sampleEntry(1);
    for (const change of [
      { accountId: 'a:b' },
      { deviceId: '' },
      { signatureKey: 'AAAA' },
      { signatureKey: `${good.signatureKey}=` },
      { at: -1 },
    ]) {
      expect(await refusal(() => keyLogLeafHash({ ...good, ...change })), JSON.stringify(change)).toBe('ENTRY_INVALID');
    }
  });
});

describe('C2SP signed notes and checkpoints', () => {
  it('opens the published example note with the published verifier key', async () => {
    const verifier = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const note =
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    expect(await openSignedNote(note, verifier)).toBe('This is an example message.\n');
    await expect(openSignedNote(note.replace('example message', 'example massage'), verifier)).rejects.toThrow(KeyTransparencyError);
  });

  it('refuses verifier keys whose key ID does not match', async () => {
    expect(await refusal(() => parseVerifierKey('example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'))).toBe(
      'VERIFIER_KEY_INVALID',
    );
    expect(await refusal(() => parseVerifierKey('example.com/foo+530d903a'))).toBe('VERIFIER_KEY_INVALID');
  });

  it('verifies a checkpoint by the pinned key, and refuses another key, another log, altered text and malformed notes', async () => {
    const root = mth([keyLogLeafHash(sampleEntry(0))]);
    const note = signCheckpoint(1, root);
    expect(await verifyCheckpoint(note, PINNED)).toMatchObject({ origin: ORIGIN, size: 1, root });
    expect(await refusal(() => verifyCheckpoint(signCheckpoint(1, root, new Uint8Array(32).fill(1)), PINNED))).toBe(
      'CHECKPOINT_SIGNATURE_INVALID',
    );
    expect(await refusal(() => verifyCheckpoint(note.replace('\n1\n', '\n2\n'), PINNED))).toBe('CHECKPOINT_SIGNATURE_INVALID');
    const otherLog = 'other.example/key-log';
    const otherKey = verifierText(otherLog, ed25519.getPublicKey(seed));
    expect(await refusal(() => verifyCheckpoint(signCheckpoint(1, root, seed, otherLog), PINNED))).toBe('CHECKPOINT_SIGNATURE_INVALID');
    // A key named for one log that signs a body naming another.
    const mismatched = signCheckpoint(1, root, seed, ORIGIN).replace(`${ORIGIN}\n1\n`, `${otherLog}\n1\n`);
    expect(await refusal(() => verifyCheckpoint(mismatched, PINNED))).toBe('CHECKPOINT_SIGNATURE_INVALID');
    expect((await verifyCheckpoint(signCheckpoint(1, root, seed, otherLog), otherKey)).origin).toBe(otherLog);
    expect(await refusal(() => verifyCheckpoint(note.replace('\n\n', '\n'), PINNED))).toBe('CHECKPOINT_MALFORMED');
    expect(await refusal(() => verifyCheckpoint(note.replace('—', '-'), PINNED))).toBe('CHECKPOINT_MALFORMED');
    expect(await refusal(() => verifyCheckpoint(`${note.slice(0, -1)}\ud800\n`, PINNED))).toBe('CHECKPOINT_MALFORMED');
  });
});

describe('KeyLogMonitor', () => {
  it('keeps the newest consistent checkpoint and proves entries and credentials against it', async () => {
    const log = new FakeLog();
    log.append(3);
    const store = new MemoryKeyLogCheckpointStore();
    const monitor = new KeyLogMonitor({ verifierKey: PINNED, source: log, store });
    expect(await monitor.latest()).toBeNull();
    expect((await monitor.refresh()).size).toBe(3);
    log.append(4);
    // Beyond the kept checkpoint: the monitor fetches a newer one (consistency-checked) first.
    expect(await monitor.verifyEntry(5)).toEqual(log.entries[5]);
    expect((await monitor.latest())?.size).toBe(7);
    expect(await store.load()).toBe(log.note(7));
    const peer = log.entries[4]!;
    await expect(monitor.verifyCredential(peer)).resolves.toEqual(peer);
    // An older checkpoint seen later must be consistent too, and does not replace the newer one.
    expect((await monitor.observe(log.note(2))).size).toBe(7);
    expect(await refusal(() => monitor.verifyEntry(7))).toBe('INCLUSION_PROOF_INVALID');
  });

  it('starts from an empty log and accepts its first entries without a proof from size 0', async () => {
    const log = new FakeLog();
    const monitor = new KeyLogMonitor({ verifierKey: PINNED, source: log });
    expect((await monitor.refresh()).size).toBe(0);
    log.append(2);
    expect((await monitor.refresh()).size).toBe(2);
  });

  it('refuses a fork: a checkpoint of the same size with another root, or a bigger tree that rewrote an entry', async () => {
    const log = new FakeLog();
    log.append(4);
    const monitor = new KeyLogMonitor({ verifierKey: PINNED, source: log });
    const kept = await monitor.refresh();
    const forked = new FakeLog();
    forked.append(4);
    forked.entries[1] = { ...forked.entries[1]!, signatureKey: encodeBase64urlBytes(new Uint8Array(32).fill(0xee)) };
    expect(await refusal(() => monitor.observe(forked.note(4)))).toBe('CONSISTENCY_PROOF_INVALID');
    forked.append(3);
    const forkedMonitorView = new KeyLogMonitor({ verifierKey: PINNED, source: forked, store: new MemoryKeyLogCheckpointStore() });
    await forkedMonitorView.observe(kept.note);
    expect(await refusal(() => forkedMonitorView.refresh())).toBe('CONSISTENCY_PROOF_INVALID');
    // The refused checkpoint was not kept.
    expect((await forkedMonitorView.latest())?.size).toBe(4);
    expect(await refusal(() => monitor.observe(signCheckpoint(5, new Uint8Array(32), new Uint8Array(32).fill(3))))).toBe(
      'CHECKPOINT_SIGNATURE_INVALID',
    );
  });

  it('refuses a tampered entry, a tampered proof, a proof for another tree, and a credential the log does not hold', async () => {
    const log = new FakeLog();
    log.append(6);
    const monitor = new KeyLogMonitor({ verifierKey: PINNED, source: log });
    await monitor.refresh();
    const forgedKey = encodeBase64urlBytes(new Uint8Array(32).fill(0xab));
    log.bendEntry = (answer) => ({ ...answer, entry: { ...answer.entry, signatureKey: forgedKey } });
    expect(await refusal(() => monitor.verifyEntry(2))).toBe('INCLUSION_PROOF_INVALID');
    log.bendEntry = (answer) => ({ ...answer, entry: { ...answer.entry, accountId: 'acct_attacker' } });
    expect(await refusal(() => monitor.verifyEntry(2))).toBe('INCLUSION_PROOF_INVALID');
    log.bendEntry = (answer) => {
      const proof = [...answer.inclusionProof.proof];
      proof[0] = encodeBase64urlBytes(new Uint8Array(32));
      return { ...answer, inclusionProof: { ...answer.inclusionProof, proof } };
    };
    expect(await refusal(() => monitor.verifyEntry(2))).toBe('INCLUSION_PROOF_INVALID');
    log.bendEntry = (answer) => ({ ...answer, inclusionProof: { ...answer.inclusionProof, treeSize: 5 } });
    expect(await refusal(() => monitor.verifyEntry(2))).toBe('INCLUSION_PROOF_INVALID');
    log.bendEntry = (answer) => answer;

    const real = log.entries[0]!;
    expect(await refusal(() => monitor.verifyCredential({ ...real, signatureKey: forgedKey }))).toBe('ENTRY_INVALID');
    expect(await refusal(() => monitor.verifyCredential({ ...real, accountId: 'acct_1' }))).toBe('ENTRY_INVALID');
    // Entry 2 removes a key: it is not a credential to encrypt to.
    expect(await refusal(() => monitor.verifyCredential(log.entries[2]!))).toBe('ENTRY_INVALID');
    expect(await refusal(() => monitor.verifyCredential({ ...real, index: 40 }))).toBe('INCLUSION_PROOF_INVALID');
    expect(isKeyTransparencyError(new KeyTransparencyError('ENTRY_INVALID', 'x'), 'ENTRY_INVALID')).toBe(true);
  });

  it('refuses a stored checkpoint that no longer verifies', async () => {
    const log = new FakeLog();
    log.append(2);
    const store = new MemoryKeyLogCheckpointStore();
    await store.save(log.note().replace('\n2\n', '\n3\n'));
    const monitor = new KeyLogMonitor({ verifierKey: PINNED, source: log, store });
    expect(await refusal(() => monitor.refresh())).toBe('CHECKPOINT_SIGNATURE_INVALID');
  });
});
