/**
 * @module audit/verify-inclusion
 *
 * Checks, on the client, that an audit entry is in the log the server signed: the checkpoint's
 * signed note verifies under the key it names and says the same tree size and root as the
 * answer, the entry's leaf hash is recomputed from its canonical JSON (never taken from the
 * server), and the RFC 9162 inclusion proof leads from that leaf to the signed root. The Merkle
 * and signed-note code is the key-transparency feature's, so both logs are checked the same way.
 * Every step is reported, passed or not, so a page can show what it checked.
 */
import type { AuditCheckpoint, AuditEntry, AuditInclusionProof } from '@portcullis/protocol';
import { decodeBase64, equalBytes, utf8Encode } from '../key-transparency/bytes.ts';
import { hashLeaf, verifyInclusion } from '../key-transparency/merkle.ts';
import { parseVerifierKey, verifyCheckpoint, type VerifiedCheckpoint } from '../key-transparency/signed-note.ts';

/** The checks of {@link verifyAuditInclusion}, in the order they run. */
export type AuditInclusionCheck = 'checkpoint_signature' | 'checkpoint_matches' | 'leaf_hash' | 'inclusion_path';

export interface AuditInclusionStep {
  readonly check: AuditInclusionCheck;
  readonly passed: boolean;
}

export interface AuditInclusionVerdict {
  /** True only when every step passed. */
  readonly verified: boolean;
  /** The steps that ran; the first failed one ends the run. */
  readonly steps: readonly AuditInclusionStep[];
  /** The key name (the log's origin) the checkpoint was signed with, once its signature verified. */
  readonly keyName?: string;
}

async function signedCheckpoint(checkpoint: AuditCheckpoint): Promise<VerifiedCheckpoint | undefined> {
  try {
    return await verifyCheckpoint(checkpoint.note, parseVerifierKey(checkpoint.verifierKey));
  } catch (error) {
    // A platform without Ed25519 is no verdict on the note: let the caller say so.
    if (error instanceof Error && error.name === 'NotSupportedError') throw error;
    return undefined;
  }
}

/**
 * Verifies that `entry` is in the tree `checkpoint` signed, with `proof` from
 * `getAuditInclusionProof(client, { entryIndex: entry.index, treeSize: checkpoint.treeSize })`.
 * Never throws for bad input: a malformed value is a failed step.
 *
 * The checkpoint is checked against the key it carries; compare `keyName` with the audit log key
 * your organisation published to know the server did not sign a log of its own making.
 *
 * @example
 *   const { checkpoint } = await getAuditCheckpoint(client);
 *   const proof = await getAuditInclusionProof(client, { entryIndex: entry.index, treeSize: checkpoint.treeSize });
 *   const { verified, steps } = await verifyAuditInclusion(entry, proof, checkpoint);
 */
export async function verifyAuditInclusion(
  entry: AuditEntry,
  proof: AuditInclusionProof,
  checkpoint: AuditCheckpoint,
): Promise<AuditInclusionVerdict> {
  const steps: AuditInclusionStep[] = [];
  const step = (check: AuditInclusionCheck, passed: boolean): boolean => {
    steps.push({ check, passed });
    return passed;
  };
  const verdict = (keyName?: string): AuditInclusionVerdict => ({
    verified: steps.length === 4 && steps.every((s) => s.passed),
    steps,
    ...(keyName === undefined ? {} : { keyName }),
  });

  const signed = await signedCheckpoint(checkpoint);
  if (!step('checkpoint_signature', signed !== undefined) || signed === undefined) return verdict();
  const keyName = signed.origin;
  const answeredRoot = decodeBase64(checkpoint.rootHash);
  const proofRoot = decodeBase64(proof.rootHash);
  const sameTree =
    signed.size === checkpoint.treeSize &&
    proof.treeSize === signed.size &&
    proof.entryIndex === entry.index &&
    answeredRoot !== undefined &&
    proofRoot !== undefined &&
    equalBytes(answeredRoot, signed.root) &&
    equalBytes(proofRoot, signed.root);
  if (!step('checkpoint_matches', sameTree)) return verdict(keyName);
  const leaf = typeof entry.canonical === 'string' ? hashLeaf(utf8Encode(entry.canonical)) : undefined;
  const servedLeaf = decodeBase64(proof.leafHash);
  if (!step('leaf_hash', leaf !== undefined && servedLeaf !== undefined && equalBytes(leaf, servedLeaf)) || leaf === undefined)
    return verdict(keyName);
  const path = Array.isArray(proof.proof) ? proof.proof.map((hash) => (typeof hash === 'string' ? decodeBase64(hash) : undefined)) : [];
  const hashes = path.filter((hash): hash is Uint8Array => hash !== undefined);
  step('inclusion_path', hashes.length === path.length && verifyInclusion(entry.index, signed.size, leaf, hashes, signed.root));
  return verdict(keyName);
}
