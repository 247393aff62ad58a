/**
 * @module platform/merkle/node-table
 *
 * Reads of a stored tree's perfect subtrees. Each log keeps every subtree as it is completed in a
 * node table of its own, `(level, idx) → hash` (lower-case hex, leaves at level 0); a proof's
 * node keys are worked out first (`subtrees.ts`) and fetched in one query, so any root or proof
 * costs one round trip of O(log n) primary-key lookups however large the log is.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { foldRight } from './frontier.ts';
import { perfectSubtrees, type LeafRange, type NodeKey } from './subtrees.ts';

/** The tables that hold a log's perfect subtrees, all with the columns `level`, `idx`, `hash`. */
export type MerkleNodeTable = 'audit_log_nodes' | 'key_log_nodes';

/** Builds the error for a subtree the table lacks (the stored tree contradicts itself). */
export type MissingNode = (key: string) => Error;

const keyOf = (key: NodeKey): string => `${key.level}/${key.index}`;

/** Hashes of the given stored subtrees, in the order asked; throws `missing(key)` when one is absent. */
export async function readStoredNodes(
  db: Kysely<Database>,
  table: MerkleNodeTable,
  keys: readonly NodeKey[],
  missing: MissingNode,
): Promise<Buffer[]> {
  if (keys.length === 0) return [];
  const byLevel = new Map<number, number[]>();
  for (const key of keys) byLevel.set(key.level, [...(byLevel.get(key.level) ?? []), key.index]);
  // Every node table has the same columns; one of them names the row type for the query.
  const nodes = db as unknown as Kysely<Pick<Database, 'audit_log_nodes'>>;
  const rows = await nodes
    .selectFrom(table as 'audit_log_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) => eb.or([...byLevel].map(([level, indexes]) => eb.and([eb('level', '=', level), eb('idx', 'in', indexes)]))))
    .execute();
  const found = new Map(rows.map((row) => [`${row.level}/${row.idx}`, Buffer.from(row.hash, 'hex')]));
  return keys.map((key) => {
    const hash = found.get(keyOf(key));
    if (!hash) throw missing(keyOf(key));
    return hash;
  });
}

/** MTH of each range, from one query for all the stored subtrees they are made of. */
export async function readStoredRangeHashes(
  db: Kysely<Database>,
  table: MerkleNodeTable,
  ranges: readonly LeafRange[],
  missing: MissingNode,
): Promise<Buffer[]> {
  const plans = ranges.map(perfectSubtrees);
  const hashes = await readStoredNodes(db, table, plans.flat(), missing);
  let offset = 0;
  return plans.map((plan) => {
    const part = hashes.slice(offset, offset + plan.length);
    offset += plan.length;
    return foldRight(part);
  });
}
