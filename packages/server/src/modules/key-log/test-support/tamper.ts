/**
 * @module modules/key-log/test-support/tamper
 *
 * What someone with write access to the database could do to the key log: change an entry's
 * columns and then rebuild every stored hash (leaf, subtrees, head) so the stored tree is
 * consistent with the forged entries again. Only signed checkpoints held elsewhere can tell.
 */
import type { Kysely } from 'kysely';
import type { Database, KeyLogEntriesTable } from '../../../platform/db/schema.ts';
import { Frontier, formatFrontier } from '../../../platform/merkle/index.ts';
import { leafHashOfRow } from '../entry.ts';

/** Replaces entry `index`'s columns with `change`, then recomputes every stored hash from the entries. */
export async function rewriteEntryConsistently(
  db: Kysely<Database>,
  index: number,
  change: Partial<Omit<KeyLogEntriesTable, 'log_index' | 'leaf_hash'>>,
): Promise<void> {
  await db.updateTable('key_log_entries').set(change).where('log_index', '=', index).execute();
  const rows = await db.selectFrom('key_log_entries').selectAll().orderBy('log_index').execute();
  await db.deleteFrom('key_log_nodes').execute();
  const frontier = new Frontier();
  for (const row of rows) {
    const leaf = leafHashOfRow(row);
    await db
      .updateTable('key_log_entries')
      .set({ leaf_hash: leaf.toString('hex') })
      .where('log_index', '=', row.log_index)
      .execute();
    const nodes = frontier.append(leaf).map((node) => ({ level: node.level, idx: node.index, hash: node.hash.toString('hex') }));
    await db.insertInto('key_log_nodes').values(nodes).execute();
  }
  await db
    .updateTable('key_log_head')
    .set({ tree_size: frontier.size, frontier: formatFrontier(frontier) })
    .execute();
}
