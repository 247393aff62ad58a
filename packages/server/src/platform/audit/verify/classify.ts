/**
 * @module platform/audit/verify/classify
 *
 * Names what happened at the first entry whose content no longer matches its stored leaf hash.
 * The stored leaf hashes are the log's memory of each entry, so comparing a few rows around the
 * position with the leaves stored there tells the edits apart:
 *
 * - removed: no row at the index, or the row holds the next stored leaf and its successor the
 *   one after (later entries renumbered to close the gap);
 * - inserted: the next row holds this index's stored leaf and its successor the following one
 *   (later entries renumbered to make room);
 * - reordered: the row holds the stored leaf of some other index;
 * - changed: anything else.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { leafHashOfRow } from '../log/entry.ts';

export type EntryProblemKind = 'changed' | 'removed' | 'inserted' | 'reordered';

export interface EntryProblem {
  readonly kind: EntryProblemKind;
  readonly entryIndex: number;
  readonly message: string;
}

/** Entries examined around the first difference: enough to tell a renumbered gap from a swap. */
const WINDOW = 3;

export async function classifyDifference(db: Kysely<Database>, index: number, logSize: number): Promise<EntryProblem> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('log_index', '>=', index)
    .where('log_index', '<', index + WINDOW)
    .execute();
  const leaves = await db
    .selectFrom('audit_log_nodes')
    .select(['idx', 'hash'])
    .where('level', '=', 0)
    .where('idx', '>=', index)
    .where('idx', '<', index + WINDOW)
    .execute();
  const content = new Map(rows.map((row) => [row.log_index, leafHashOfRow(row).toString('hex')]));
  const stored = new Map(leaves.map((leaf) => [leaf.idx, leaf.hash]));
  const row = (offset: number): string | undefined => content.get(index + offset);
  const leaf = (offset: number): string | undefined => stored.get(index + offset);

  const current = row(0);
  if (current === undefined) return { kind: 'removed', entryIndex: index, message: `entry ${index} was removed` };
  if (index >= logSize) {
    return {
      kind: 'inserted',
      entryIndex: index,
      message: `entry ${index} was inserted after the last logged entry (the log holds ${logSize} entries)`,
    };
  }
  if (current === leaf(1) && (row(1) === undefined || row(1) === leaf(2))) {
    return {
      kind: 'removed',
      entryIndex: index,
      message: `entry ${index} was removed (the entries after it were renumbered to close the gap)`,
    };
  }
  if (row(1) !== undefined && row(1) === leaf(0) && (leaf(1) === undefined || row(2) === leaf(1))) {
    return {
      kind: 'inserted',
      entryIndex: index,
      message: `an entry was inserted at index ${index} (the entries from there on were renumbered)`,
    };
  }
  const original = await db
    .selectFrom('audit_log_nodes')
    .select('idx')
    .where('level', '=', 0)
    .where('hash', '=', current)
    .where('idx', '!=', index)
    .orderBy('idx')
    .limit(1)
    .executeTakeFirst();
  if (original) {
    return {
      kind: 'reordered',
      entryIndex: index,
      message: `entry ${index} was reordered: it now holds the entry logged at index ${original.idx}`,
    };
  }
  return { kind: 'changed', entryIndex: index, message: `entry ${index} was changed (its content no longer matches its leaf hash)` };
}
