/**
 * @module modules/key-log/service
 *
 * What the key-log routes serve: the current signed checkpoint, one entry with its inclusion
 * proof in a tree of a given size, and consistency proofs between two sizes. Plain functions over
 * an explicit deps object; no HTTP here. Hashes and keys are base64url.
 */
import type { KeyLogCheckpoint, KeyLogConsistencyProof, KeyLogEntry, KeyLogEntryWithProof } from '@portcullis/protocol';
import { appError } from '../../platform/errors/app-error.ts';
import { currentCheckpoint, keyLogKey, type KeyLogDeps } from './checkpoint.ts';
import { entryFromRow, leafHashOfRow } from './entry.ts';
import { KeyLogIntegrityError, readConsistencyProof, readHead, readInclusionProof } from './store.ts';

/**
 * Whether `viewerAccountId` may read `entry` (for instance: only entries of accounts the caller
 * may talk to). Without one every entry is readable by every caller of the routes.
 */
export type KeyLogEntryVisibility = (viewerAccountId: string, entry: KeyLogEntry) => Promise<boolean>;

export interface KeyLogServiceDeps extends KeyLogDeps {
  readonly entryVisible?: KeyLogEntryVisibility;
}

const b64url = (hash: Buffer): string => hash.toString('base64url');

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** The checkpoint of the current tree (signed now if the log grew since the last one). */
export async function getKeyLogCheckpoint(deps: KeyLogDeps): Promise<KeyLogCheckpoint> {
  const row = await currentCheckpoint(deps);
  return {
    treeSize: row.tree_size,
    rootHash: b64url(Buffer.from(row.root_hash, 'hex')),
    note: row.note,
    verifierKey: keyLogKey(deps.keyRing, deps.config).verifier.text,
  };
}

/**
 * Entry `index` and its inclusion proof in the tree of `treeSize` entries. Refuses with
 * `KEY_LOG_PROOF_RANGE_INVALID` unless 0 ≤ index < treeSize ≤ the log's size, and with
 * `KEY_LOG_ENTRY_NOT_FOUND` when `entryVisible` hides it from the viewer. A stored entry whose
 * columns no longer hash to its stored leaf is an integrity failure, never served.
 */
export async function getKeyLogEntry(
  deps: KeyLogServiceDeps,
  viewerAccountId: string,
  index: number,
  treeSize: number,
): Promise<KeyLogEntryWithProof> {
  const { size } = await readHead(deps.db);
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize || treeSize > size) {
    throw appError('KEY_LOG_PROOF_RANGE_INVALID', { detail: `entry ${index} in ${treeSize}; log size ${size}` });
  }
  const row = await deps.db.selectFrom('key_log_entries').selectAll().where('log_index', '=', index).executeTakeFirst();
  if (!row) throw new KeyLogIntegrityError(`key log entry ${index} is missing below the head`);
  const entry = entryFromRow(row);
  if (deps.entryVisible && !(await deps.entryVisible(viewerAccountId, entry))) {
    throw appError('KEY_LOG_ENTRY_NOT_FOUND', { detail: `entry ${index} hidden from the caller` });
  }
  const { leaf, proof } = await readInclusionProof(deps.db, index, treeSize);
  const recomputed = leafHashOfRow(row);
  if (!recomputed.equals(leaf) || recomputed.toString('hex') !== row.leaf_hash) {
    throw new KeyLogIntegrityError(`key log entry ${index} does not hash to its stored leaf`);
  }
  return { entry, inclusionProof: { leafIndex: index, treeSize, proof: proof.map(b64url) } };
}

/**
 * Proof that the tree of `toSize` entries extends the tree of `fromSize` entries. Refuses with
 * `KEY_LOG_PROOF_RANGE_INVALID` unless 1 ≤ fromSize ≤ toSize ≤ the log's size.
 */
export async function getKeyLogConsistency(deps: KeyLogDeps, fromSize: number, toSize: number): Promise<KeyLogConsistencyProof> {
  const { size } = await readHead(deps.db);
  if (!isCount(fromSize) || !isCount(toSize) || fromSize < 1 || fromSize > toSize || toSize > size) {
    throw appError('KEY_LOG_PROOF_RANGE_INVALID', { detail: `consistency ${fromSize} → ${toSize}; log size ${size}` });
  }
  const proof = await readConsistencyProof(deps.db, fromSize, toSize);
  return { fromSize, toSize, proof: proof.map(b64url) };
}
