/**
 * @module platform/audit/log/store
 *
 * Reads of the stored tree: the head, stored perfect subtrees, and from them any root and any
 * RFC 9162 proof. A proof's node keys are worked out first (`platform/merkle/subtrees.ts`) and fetched
 * in one query, so the latest entry of a million-entry log costs one round trip of about 20
 * primary-key lookups. Completed subtrees never change, so reads need no lock and may run while
 * appends continue: every size up to the committed head is fully stored.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { foldRight, type Frontier } from '../../merkle/frontier.ts';
import { consistencyRanges, frontierKeys, inclusionRanges, perfectSubtrees, type LeafRange, type NodeKey } from '../../merkle/subtrees.ts';
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

const keyOf = (key: NodeKey): string => `${key.level}/${key.index}`;

/** Hashes of the given stored subtrees, in the order asked; throws when one is missing. */
export async function readNodes(db: Kysely<Database>, keys: readonly NodeKey[]): Promise<Buffer[]> {
  if (keys.length === 0) return [];
  const byLevel = new Map<number, number[]>();
  for (const key of keys) byLevel.set(key.level, [...(byLevel.get(key.level) ?? []), key.index]);
  const rows = await db
    .selectFrom('audit_log_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) => eb.or([...byLevel].map(([level, indexes]) => eb.and([eb('level', '=', level), eb('idx', 'in', indexes)]))))
    .execute();
  const found = new Map(rows.map((row) => [`${row.level}/${row.idx}`, Buffer.from(row.hash, 'hex')]));
  return keys.map((key) => {
    const hash = found.get(keyOf(key));
    if (!hash) throw new AuditLogIntegrityError(`stored subtree ${keyOf(key)} of the audit log is missing`);
    return hash;
  });
}

/** MTH of each range, from one query for all the subtrees they are made of. */
export async function readRangeHashes(db: Kysely<Database>, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  const plans = ranges.map(perfectSubtrees);
  const hashes = await readNodes(db, plans.flat());
  let offset = 0;
  return plans.map((plan) => {
    const part = hashes.slice(offset, offset + plan.length);
    offset += plan.length;
    return foldRight(part);
  });
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
