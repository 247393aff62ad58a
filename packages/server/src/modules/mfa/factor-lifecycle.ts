/**
 * @module modules/mfa/factor-lifecycle
 *
 * The lifecycle every second factor with a confirmation step shares (authenticator apps and
 * phones): a pending row, one at a time per account and worthless once expired, becomes
 * confirmed exactly once, and is listed, counted and removed only within its own account.
 * The confirmation is a conditional write whose affected-row count is the answer, so of two
 * concurrent confirmations exactly one wins, on SQLite or PostgreSQL.
 */
import type { Kysely, Transaction, UpdateObject } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Tables of factors that are added pending and confirmed later. */
export type PendingFactorTable = 'mfa_totp_factors' | 'mfa_phone_factors';

/** Drops the account's pending factors of this kind (one at a time) and every expired pending one. */
export async function deletePendingFactors(db: Db, table: PendingFactorTable, accountId: string, now: number): Promise<void> {
  await db
    .deleteFrom(table)
    .where('confirmed_at', 'is', null)
    .where((eb) => eb.or([eb('account_id', '=', accountId), eb('expires_at', '<=', now)]))
    .execute();
}

export async function findPendingFactor<T extends PendingFactorTable>(
  db: Db,
  table: T,
  factor: { readonly accountId: string; readonly factorId: string; readonly now: number },
): Promise<Database[T] | undefined> {
  const from: PendingFactorTable = table;
  const row = await db
    .selectFrom(from)
    .selectAll()
    .where('id', '=', factor.factorId)
    .where('account_id', '=', factor.accountId)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', factor.now)
    .executeTakeFirst();
  return row;
}

/** Confirms a pending factor (with what else the kind records); false when a concurrent confirmation won. */
export async function confirmFactor<T extends PendingFactorTable>(
  db: Db,
  table: T,
  factorId: string,
  confirmation: { readonly now: number; readonly also?: UpdateObject<Database, T> },
): Promise<boolean> {
  const into: PendingFactorTable = table;
  const also: object = confirmation.also ?? {};
  const result = await db
    .updateTable(into)
    .set({ ...also, confirmed_at: confirmation.now, expires_at: null })
    .where('id', '=', factorId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function listConfirmedFactors<T extends PendingFactorTable>(db: Db, table: T, accountId: string): Promise<Database[T][]> {
  const from: PendingFactorTable = table;
  const rows = await db
    .selectFrom(from)
    .selectAll()
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is not', null)
    .orderBy('confirmed_at', 'asc')
    .execute();
  return rows;
}

export async function countConfirmedFactors(db: Db, table: PendingFactorTable, accountId: string): Promise<number> {
  const from: PendingFactorTable = table;
  const row = await db
    .selectFrom(from)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Removes one factor of the account (confirmed or pending); false when the account has no such factor. */
export async function deleteFactor(
  db: Db,
  table: PendingFactorTable,
  factor: { readonly accountId: string; readonly factorId: string },
): Promise<boolean> {
  const result = await db.deleteFrom(table).where('id', '=', factor.factorId).where('account_id', '=', factor.accountId).executeTakeFirst();
  return result.numDeletedRows === 1n;
}
