/**
 * Browser-side verification of an audit entry: an honest answer passes every step, and each way
 * a server could lie (another key, a root the note did not sign, an edited entry, a wrong path)
 * fails the step that catches it, never throws.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { AuditCheckpoint, AuditEntry, AuditInclusionProof } from '@portcullis/protocol';
import { describe, expect, it } from 'vitest';
import { concatBytes, encodeBase64, utf8Encode } from '../key-transparency/bytes.ts';
import { hashChildren, hashLeaf } from '../key-transparency/merkle.ts';
import { formatCheckpointBody } from '../key-transparency/signed-note.ts';
import { verifyAuditInclusion } from './verify-inclusion.ts';

const ORIGIN = 'clinic.example/portcullis/audit';
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function mth(leaves: readonly Uint8Array[]): Uint8Array {
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

function keyOf(seed: Uint8Array, origin = ORIGIN): { text: string; sign: (body: string) => string } {
  const publicKey = ed25519.getPublicKey(seed);
  const keyId = sha256(concatBytes(utf8Encode(origin), Uint8Array.of(0x0a, 0x01), publicKey)).subarray(0, 4);
  return {
    text: `${origin}+${hex(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(0x01), publicKey))}`,
    sign: (body) => `${body}\n\u2014 ${origin} ${encodeBase64(concatBytes(keyId, ed25519.sign(utf8Encode(body), seed)))}\n`,
  };
}

const KEY = keyOf(new Uint8Array(32).fill(7));
const OTHER_KEY = keyOf(new Uint8Array(32).fill(8));

function entryAt(index: number): AuditEntry {
  const canonical = JSON.stringify({ action: 'session.created', actor: `acct_${index}`, index, outcome: 'success' });
  return {
    index,
    action: 'session.created',
    outcome: 'success',
    actor: `acct_${index}`,
    subject: null,
    session: null,
    requestId: null,
    ipPrefix: null,
    reason: null,
    time: new Date(1_765_098_000_000 + index).toISOString(),
    canonical,
  };
}

const SIZE = 7;
const ENTRIES = Array.from({ length: SIZE }, (_, index) => entryAt(index));
const LEAVES = ENTRIES.map((entry) => hashLeaf(utf8Encode(entry.canonical)));
const ROOT = mth(LEAVES);

function checkpointOf(key = KEY, root = ROOT): AuditCheckpoint {
  return { treeSize: SIZE, rootHash: encodeBase64(root), note: key.sign(formatCheckpointBody(ORIGIN, SIZE, root)), verifierKey: key.text };
}

function proofOf(index: number): AuditInclusionProof {
  return {
    entryIndex: index,
    treeSize: SIZE,
    leafHash: encodeBase64(LEAVES[index]!),
    rootHash: encodeBase64(ROOT),
    proof: path(index, LEAVES).map(encodeBase64),
  };
}

const failed = (verdict: Awaited<ReturnType<typeof verifyAuditInclusion>>) => verdict.steps.find((step) => !step.passed)?.check;

describe('verifyAuditInclusion', () => {
  it.each(ENTRIES.map((entry) => entry.index))('verifies entry %i of a signed tree of 7, every step passed', async (index) => {
    const verdict = await verifyAuditInclusion(ENTRIES[index]!, proofOf(index), checkpointOf());
    expect(verdict.verified).toBe(true);
    expect(verdict.keyName).toBe(ORIGIN);
    expect(verdict.steps.map((step) => step.check)).toEqual(['checkpoint_signature', 'checkpoint_matches', 'leaf_hash', 'inclusion_path']);
  });

  it('fails the signature step when the note is signed by another key than the one named', async () => {
    const checkpoint = { ...checkpointOf(OTHER_KEY), verifierKey: KEY.text };
    const verdict = await verifyAuditInclusion(ENTRIES[2]!, proofOf(2), checkpoint);
    expect([verdict.verified, failed(verdict), verdict.steps.length]).toEqual([false, 'checkpoint_signature', 1]);
  });

  it('fails when the answer names another root than the signed note', async () => {
    const other = sha256(utf8Encode('another tree'));
    const verdict = await verifyAuditInclusion(ENTRIES[2]!, { ...proofOf(2), rootHash: encodeBase64(other) }, checkpointOf());
    expect([verdict.verified, failed(verdict)]).toEqual([false, 'checkpoint_matches']);
  });

  it('fails the leaf step when the entry was edited after it was logged', async () => {
    const edited = { ...ENTRIES[3]!, canonical: ENTRIES[3]!.canonical.replace('success', 'failure') };
    const verdict = await verifyAuditInclusion(edited, proofOf(3), checkpointOf());
    expect([verdict.verified, failed(verdict)]).toEqual([false, 'leaf_hash']);
  });

  it('fails the path step for a proof of another entry, a short path or a malformed hash', async () => {
    const entry = ENTRIES[4]!;
    const wrongPath = { ...proofOf(4), proof: proofOf(5).proof };
    const shortPath = { ...proofOf(4), proof: proofOf(4).proof.slice(1) };
    const malformed = { ...proofOf(4), proof: ['not base64!', ...proofOf(4).proof.slice(1)] };
    for (const proof of [wrongPath, shortPath, malformed]) {
      const verdict = await verifyAuditInclusion(entry, proof, checkpointOf());
      expect([verdict.verified, failed(verdict)]).toEqual([false, 'inclusion_path']);
    }
  });

  it('fails, without throwing, for a malformed verifier key or note', async () => {
    const verdict = await verifyAuditInclusion(ENTRIES[0]!, proofOf(0), { ...checkpointOf(), verifierKey: 'nonsense', note: '' });
    expect([verdict.verified, failed(verdict)]).toEqual([false, 'checkpoint_signature']);
  });
});
