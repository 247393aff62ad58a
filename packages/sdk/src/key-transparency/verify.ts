/**
 * @module key-transparency/verify
 *
 * The two checks a client makes on what the key log serves, as pure functions: an entry is in
 * the tree a verified checkpoint signed (its leaf recomputed from its fields, never taken from
 * the server), and a newer verified checkpoint extends an older one. Both throw
 * {@link KeyTransparencyError} and return only what passed.
 */
import type { KeyLogEntry, KeyLogEntryWithProof } from '@portcullis/protocol';
import { decodeBase64url, equalBytes } from './bytes.ts';
import { keyLogLeafHash } from './entry.ts';
import { KeyTransparencyError } from './errors.ts';
import { EMPTY_ROOT, verifyConsistency, verifyInclusion } from './merkle.ts';
import type { VerifiedCheckpoint } from './signed-note.ts';

function hashes(path: unknown, code: 'INCLUSION_PROOF_INVALID' | 'CONSISTENCY_PROOF_INVALID'): Uint8Array[] {
  if (!Array.isArray(path)) throw new KeyTransparencyError(code, 'the proof is not a list of hashes');
  return path.map((item) => {
    const bytes = typeof item === 'string' ? decodeBase64url(item) : undefined;
    if (bytes === undefined) throw new KeyTransparencyError(code, 'a proof hash is not base64url');
    return bytes;
  });
}

/**
 * Checks that `answer.entry` is entry `answer.entry.index` of the tree `checkpoint` signed, and
 * returns the entry. Throws `INCLUSION_PROOF_INVALID` when the proof is for another tree or does
 * not lead to the checkpoint's root, `ENTRY_INVALID` when the entry cannot be encoded.
 */
export function verifyKeyLogEntry(answer: KeyLogEntryWithProof, checkpoint: VerifiedCheckpoint): KeyLogEntry {
  const { entry, inclusionProof } = answer;
  if (inclusionProof.treeSize !== checkpoint.size || inclusionProof.leafIndex !== entry.index) {
    throw new KeyTransparencyError('INCLUSION_PROOF_INVALID', 'the proof is not for this entry in the checkpoint’s tree');
  }
  const leaf = keyLogLeafHash(entry);
  if (!verifyInclusion(entry.index, checkpoint.size, leaf, hashes(inclusionProof.proof, 'INCLUSION_PROOF_INVALID'), checkpoint.root)) {
    throw new KeyTransparencyError('INCLUSION_PROOF_INVALID', `entry ${entry.index} is not in the tree of ${checkpoint.size} entries`);
  }
  return entry;
}

/**
 * Checks that `newer` extends `older` (both verified checkpoints of the same log): equal sizes
 * need equal roots, growth needs a valid RFC 9162 consistency proof (`proof`, base64url hashes;
 * unused when either tree is empty). Throws `CONSISTENCY_PROOF_INVALID` otherwise.
 */
export function verifyKeyLogConsistency(older: VerifiedCheckpoint, newer: VerifiedCheckpoint, proof: readonly string[] = []): void {
  const fail = (why: string) => new KeyTransparencyError('CONSISTENCY_PROOF_INVALID', why);
  if (older.origin !== newer.origin) throw fail('the checkpoints are of different logs');
  if (older.size > newer.size) throw fail('the newer checkpoint is smaller than the older one');
  if (older.size === 0) {
    if (!equalBytes(older.root, EMPTY_ROOT)) throw fail('an empty tree has another root');
    if (newer.size === 0 && !equalBytes(newer.root, EMPTY_ROOT)) throw fail('an empty tree has another root');
    return;
  }
  if (!verifyConsistency(older.size, newer.size, older.root, newer.root, hashes(proof, 'CONSISTENCY_PROOF_INVALID'))) {
    throw fail(
      older.size === newer.size
        ? `two different trees of ${older.size} entries were signed`
        : `the tree of ${newer.size} entries does not extend the tree of ${older.size}`,
    );
  }
}
