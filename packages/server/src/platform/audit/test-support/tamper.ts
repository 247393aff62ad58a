/**
 * @module platform/audit/test-support/tamper
 *
 * What someone with write access to the database could do to the log, done with plain SQL
 * through Kysely: change, delete, insert and reorder entry rows (renumbering the rest where the
 * edit needs it), and rebuild every stored hash from the edited rows so only the signed
 * checkpoints still remember the truth.
 */
import type { Kysely } from 'kysely';
import type { AuditEventsTable, Database } from '../../db/schema.ts';
import { leafHashOfRow } from '../log/entry.ts';
import { formatFrontier } from '../../merkle/frontier-text.ts';
import { Frontier } from '../../merkle/frontier.ts';

type Db = Kysely<Database>;

/** Moves rows with index ≥ `from` by `delta`, through negative indexes so the primary key never collides. */
async function renumber(db: Db, from: number, delta: number): Promise<void> {
  await db
    .updateTable('audit_events')
    .set((eb) => ({ log_index: eb(eb.neg(eb.ref('log_index')), '-', delta) }))
    .where('log_index', '>=', from)
    .execute();
  await db
    .updateTable('audit_events')
    .set((eb) => ({ log_index: eb.neg(eb.ref('log_index')) }))
    .where('log_index', '<', 0)
    .execute();
}

export async function changeEntry(db: Db, index: number, actorId = 'acct_forged'): Promise<void> {
  await db.updateTable('audit_events').set({ actor_id: actorId }).where('log_index', '=', index).execute();
}

export async function deleteEntry(db: Db, index: number, options: { renumber: boolean }): Promise<void> {
  await db.deleteFrom('audit_events').where('log_index', '=', index).execute();
  if (options.renumber) await renumber(db, index + 1, -1);
}

export async function insertEntry(db: Db, index: number, row: Omit<AuditEventsTable, 'log_index'>): Promise<void> {
  await renumber(db, index, 1);
  await db
    .insertInto('audit_events')
    .values({ log_index: index, ...row })
    .execute();
}

export async function swapEntries(db: Db, a: number, b: number): Promise<void> {
  await db.updateTable('audit_events').set({ log_index: -1 }).where('log_index', '=', a).execute();
  await db.updateTable('audit_events').set({ log_index: a }).where('log_index', '=', b).execute();
  await db.updateTable('audit_events').set({ log_index: b }).where('log_index', '=', -1).execute();
}

/** Recomputes every stored hash and the head from the (edited) rows, as a careful forger would. */
export async function rebuildStoredTree(db: Db): Promise<void> {
  const rows = await db.selectFrom('audit_events').selectAll().orderBy('log_index').execute();
  const frontier = new Frontier();
  const nodes = rows.flatMap((row) => frontier.append(leafHashOfRow(row)));
  await db.deleteFrom('audit_log_nodes').execute();
  for (let start = 0; start < nodes.length; start += 500) {
    await db
      .insertInto('audit_log_nodes')
      .values(nodes.slice(start, start + 500).map((node) => ({ level: node.level, idx: node.index, hash: node.hash.toString('hex') })))
      .execute();
  }
  await db
    .updateTable('audit_log_head')
    .set({ tree_size: frontier.size, frontier: formatFrontier(frontier) })
    .execute();
}
