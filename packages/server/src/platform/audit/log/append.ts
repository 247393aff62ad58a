/**
 * @module platform/audit/log/append
 *
 * Appends one entry to the log inside the caller's transaction. The head row is the lock: the
 * first statement increments its size (`UPDATE … RETURNING`), which on PostgreSQL takes the row
 * lock until the caller commits and on SQLite takes the database write lock, so concurrent
 * appends get consecutive indexes with no gap and no duplicate. Everything that can be done
 * without the lock (canonical encoding and leaf hash) is done before it. A rollback anywhere in
 * the caller's transaction undoes the entry, its nodes and the head together, so the stored
 * tree always matches the last committed entry.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { leafHashOfRow, type AuditEventRow } from './entry.ts';
import { formatFrontier, parseFrontier } from './frontier-text.ts';

/** The one row of `audit_log_head`. */
export const HEAD_ID = 1;

export class AuditLogMissingError extends Error {
  override readonly name = 'AuditLogMissingError';
  constructor() {
    super('the audit log head row is missing; run `portcullis migrate`');
  }
}

/**
 * Appends `row` as the next entry and returns its index. `tx` must be a transaction: the entry,
 * its completed subtrees and the new head commit or roll back with the caller's own change.
 */
export async function appendEntry(tx: Kysely<Database>, row: AuditEventRow): Promise<number> {
  if (!tx.isTransaction) throw new TypeError('appendEntry needs a transaction');
  const leaf = leafHashOfRow(row);
  // From here until the caller commits, other appends wait: keep the work below small.
  const head = await tx
    .updateTable('audit_log_head')
    .set((eb) => ({ tree_size: eb('tree_size', '+', 1) }))
    .where('id', '=', HEAD_ID)
    .returning(['tree_size', 'frontier'])
    .executeTakeFirst();
  if (!head) throw new AuditLogMissingError();
  const index = head.tree_size - 1;
  const frontier = parseFrontier(index, head.frontier);
  const completed = frontier.append(leaf);
  await tx
    .insertInto('audit_events')
    .values({ log_index: index, ...row })
    .execute();
  await tx
    .insertInto('audit_log_nodes')
    .values(completed.map((node) => ({ level: node.level, idx: node.index, hash: node.hash.toString('hex') })))
    .execute();
  await tx
    .updateTable('audit_log_head')
    .set({ frontier: formatFrontier(frontier) })
    .where('id', '=', HEAD_ID)
    .execute();
  return index;
}
