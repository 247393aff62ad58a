/**
 * @module platform/db/transaction
 *
 * The transaction helper: a change and the audit event that records it commit together or not
 * at all. Callers receive a `Transaction` and must use it (not the outer `db`) for every query.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Tx = Transaction<Database>;

/**
 * Runs `work` in one transaction; commits when it resolves, rolls back when it throws.
 *
 * @example
 * await withTransaction(db, async (tx) => {
 *   await tx.insertInto('instance_meta').values({ key, value }).execute();
 * });
 */
export function withTransaction<T>(db: Kysely<Database>, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
