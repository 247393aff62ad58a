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
import { preparedInsert, preparedQuery } from '../../db/prepared.ts';
import type { Database } from '../../db/schema.ts';
import { leafHashOfRow, type AuditEventRow } from './entry.ts';
import { formatFrontier, parseFrontier } from '../../merkle/frontier-text.ts';

/** The one row of `audit_log_head`. */
export const HEAD_ID = 1;

export class AuditLogMissingError extends Error {
  override readonly name = 'AuditLogMissingError';
  constructor() {
    super('the audit log head row is missing; run `portcullis migrate`');
  }
}

// Every audited request runs these four statements: each is compiled once.
const takeNextIndex = preparedQuery((db) =>
  db
    .updateTable('audit_log_head')
    .set((eb) => ({ tree_size: eb('tree_size', '+', 1) }))
    .where('id', '=', HEAD_ID)
    .returning(['tree_size', 'frontier']),
);
const insertEvents = preparedInsert('audit_events', [
  'log_index',
  'occurred_at',
  'action',
  'outcome',
  'actor_id',
  'subject_id',
  'session_id',
  'request_id',
  'ip_prefix',
  'reason',
]);
const insertNodes = preparedInsert('audit_log_nodes', ['level', 'idx', 'hash']);
const storeFrontier = preparedQuery((db, p: { frontier: string }) =>
  db.updateTable('audit_log_head').set({ frontier: p.frontier }).where('id', '=', HEAD_ID),
);

/**
 * Appends `row` as the next entry and returns its index. `tx` must be a transaction: the entry,
 * its completed subtrees and the new head commit or roll back with the caller's own change.
 */
export async function appendEntry(tx: Kysely<Database>, row: AuditEventRow): Promise<number> {
  if (!tx.isTransaction) throw new TypeError('appendEntry needs a transaction');
  const leaf = leafHashOfRow(row);
  // From here until the caller commits, other appends wait: keep the work below small.
  const [head] = await takeNextIndex.rows(tx, {});
  if (!head) throw new AuditLogMissingError();
  const index = head.tree_size - 1;
  const frontier = parseFrontier(index, head.frontier);
  const completed = frontier.append(leaf);
  await insertEvents(tx, [{ log_index: index, ...row }]);
  await insertNodes(
    tx,
    completed.map((node) => ({ level: node.level, idx: node.index, hash: node.hash.toString('hex') })),
  );
  await storeFrontier.changed(tx, { frontier: formatFrontier(frontier) });
  return index;
}
