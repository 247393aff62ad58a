/**
 * @module modules/privacy/repository
 *
 * SQL for `account_erasures`, and the two deletions no other module offers an erasure door for:
 * linked identities that appeared after the provider revocation ran, and the account's own
 * elevation requests (their reasons are free text). Rows other people own that merely name the
 * account (an elevation it approved, an entry it wrote in another file) are kept: they point at
 * the tombstone.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AccountErasuresTable, Database } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertErasure(db: Db, row: AccountErasuresTable): Promise<void> {
  await db.insertInto('account_erasures').values(row).execute();
}

export function findErasure(db: Db, id: string): Promise<AccountErasuresTable | undefined> {
  return db.selectFrom('account_erasures').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Requests nobody approved yet, oldest first. */
export function listPending(db: Db, limit = 100): Promise<AccountErasuresTable[]> {
  return db
    .selectFrom('account_erasures')
    .selectAll()
    .where('erased_at', 'is', null)
    .orderBy('requested_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Marks a pending request approved and carried out; false when another approval won. */
export async function markApproved(db: Db, id: string, approval: { approvedBy: string; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('account_erasures')
    .set({ approved_by: approval.approvedBy, erased_at: approval.now })
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Drops the other requests still pending for an account being erased (`keepId` is the erasure
 * running now): nothing is left for a second administrator to approve. The audit log keeps the
 * requests themselves.
 */
export async function dropPendingRequests(db: Db, accountId: string, keepId: string): Promise<void> {
  await db
    .deleteFrom('account_erasures')
    .where('account_id', '=', accountId)
    .where('erased_at', 'is', null)
    .where('id', '!=', keepId)
    .execute();
}

export async function storeReceipt(db: Db, id: string, receipt: string): Promise<void> {
  await db.updateTable('account_erasures').set({ receipt }).where('id', '=', id).execute();
}

export async function deleteExternalIdentities(db: Db, accountId: string): Promise<number> {
  const result = await db.deleteFrom('external_identities').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteElevations(db: Db, accountId: string): Promise<number> {
  const result = await db.deleteFrom('role_elevations').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
