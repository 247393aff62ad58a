/**
 * @module platform/audit/log/store
 *
 * Reads of the stored tree: the head, stored perfect subtrees, and from them any root and any
 * RFC 9162 proof. A proof's node keys are worked out first (`platform/merkle/subtrees.ts`) and
 * fetched in one query (`platform/merkle/node-table.ts`), so the latest entry of a million-entry
 * log costs one round trip of about 20 primary-key lookups. Completed subtrees never change, so reads need no lock and may run while
 * appends continue: every size up to the committed head is fully stored.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { foldRight, type Frontier } from '../../merkle/frontier.ts';
import { consistencyRanges, frontierKeys, inclusionRanges, type LeafRange, type NodeKey } from '../../merkle/subtrees.ts';
import { readStoredNodes, readStoredRangeHashes } from '../../merkle/node-table.ts';
import { AuditLogMissingError, HEAD_ID } from './append.ts';
import { parseFrontier } from '../../merkle/frontier-text.ts';

/** The stored tree contradicts itself: a node is missing or the head does not match the nodes. */
export class AuditLogIntegrityError extends Error {
  override readonly name = 'AuditLogIntegrityError';
}

export interface StoredHead {
  readonly size: number;
  readonly frontier: Frontier;
}

export async function readHead(db: Kysely<Database>): Promise<StoredHead> {
  const head = await db.selectFrom('audit_log_head').select(['tree_size', 'frontier']).where('id', '=', HEAD_ID).executeTakeFirst();
  if (!head) throw new AuditLogMissingError();
  try {
    return { size: head.tree_size, frontier: parseFrontier(head.tree_size, head.frontier) };
  } catch (error) {
    throw new AuditLogIntegrityError('the audit log head does not hold a frontier for its size', { cause: error });
  }
}

const missingNode = (key: string): Error => new AuditLogIntegrityError(`stored subtree ${key} of the audit log is missing`);

/** Hashes of the given stored subtrees, in the order asked; throws when one is missing. */
export function readNodes(db: Kysely<Database>, keys: readonly NodeKey[]): Promise<Buffer[]> {
  return readStoredNodes(db, 'audit_log_nodes', keys, missingNode);
}

/** MTH of each range, from one query for all the subtrees they are made of. */
export function readRangeHashes(db: Kysely<Database>, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  return readStoredRangeHashes(db, 'audit_log_nodes', ranges, missingNode);
}

/** MTH of the first `size` entries, from the stored subtrees. */
export async function readRoot(db: Kysely<Database>, size: number): Promise<Buffer> {
  return foldRight(await readNodes(db, frontierKeys(size)));
}

export async function readInclusionProof(db: Kysely<Database>, index: number, size: number): Promise<{ leaf: Buffer; proof: Buffer[] }> {
  const [leaf, ...proof] = await readRangeHashes(db, [{ start: index, end: index + 1 }, ...inclusionRanges(index, size)]);
  return { leaf: leaf as Buffer, proof };
}

export async function readConsistencyProof(db: Kysely<Database>, fromSize: number, toSize: number): Promise<Buffer[]> {
  return readRangeHashes(db, consistencyRanges(fromSize, toSize));
}
