/**
 * @module modules/key-log/store
 *
 * Reads of the key log's stored tree: the head row and, from the node table, any root and any
 * RFC 9162 proof (platform/merkle does the range arithmetic and the one-query fetch). Completed
 * subtrees never change, so reads need no lock and may run while appends continue: every size
 * up to the committed head is fully stored.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import {
  EMPTY_ROOT,
  consistencyRanges,
  inclusionRanges,
  parseFrontier,
  readStoredRangeHashes,
  type Frontier,
  type LeafRange,
} from '../../platform/merkle/index.ts';

/** The one row of `key_log_head`. */
export const HEAD_ID = 1;

/** The stored key log contradicts itself: a node is missing, or the head, an entry or a checkpoint does not match. */
export class KeyLogIntegrityError extends Error {
  override readonly name = 'KeyLogIntegrityError';
}

export class KeyLogMissingError extends Error {
  override readonly name = 'KeyLogMissingError';
  constructor() {
    super('the key log head row is missing; run `portcullis migrate`');
  }
}

export interface StoredHead {
  readonly size: number;
  readonly frontier: Frontier;
}

export async function readHead(db: Kysely<Database>): Promise<StoredHead> {
  const head = await db.selectFrom('key_log_head').select(['tree_size', 'frontier']).where('id', '=', HEAD_ID).executeTakeFirst();
  if (!head) throw new KeyLogMissingError();
  try {
    return { size: head.tree_size, frontier: parseFrontier(head.tree_size, head.frontier) };
  } catch (error) {
    throw new KeyLogIntegrityError('the key log head does not hold a frontier for its size', { cause: error });
  }
}

const missingNode = (key: string): Error => new KeyLogIntegrityError(`stored subtree ${key} of the key log is missing`);

/** MTH of each range, from one query for all the stored subtrees they are made of. */
export function readRangeHashes(db: Kysely<Database>, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  return readStoredRangeHashes(db, 'key_log_nodes', ranges, missingNode);
}

/** MTH of the first `size` entries. */
export async function readRoot(db: Kysely<Database>, size: number): Promise<Buffer> {
  if (size === 0) return EMPTY_ROOT;
  const [root] = await readRangeHashes(db, [{ start: 0, end: size }]);
  return root as Buffer;
}

/** The leaf hash of entry `index` and its audit path in the tree of `size` entries. */
export async function readInclusionProof(db: Kysely<Database>, index: number, size: number): Promise<{ leaf: Buffer; proof: Buffer[] }> {
  const [leaf, ...proof] = await readRangeHashes(db, [{ start: index, end: index + 1 }, ...inclusionRanges(index, size)]);
  return { leaf: leaf as Buffer, proof };
}

export function readConsistencyProof(db: Kysely<Database>, fromSize: number, toSize: number): Promise<Buffer[]> {
  return readRangeHashes(db, consistencyRanges(fromSize, toSize));
}
