/**
 * @module modules/mfa/phone-repository
 *
 * SQL for phone factors and the account facts their rules need. As for TOTP, the writes that
 * must happen once (confirming a number) are conditional updates whose affected-row count is the
 * answer, so two concurrent requests can never both win.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, MfaPhoneFactorsTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Address, whether it is verified, and roles of an account. Read-only use of the accounts table. */
export async function findAccountContact(
  db: Db,
  accountId: string,
): Promise<{ email: string; emailVerified: boolean; roles: string[] } | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(['email', 'email_verified_at', 'roles'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { email: row.email, emailVerified: row.email_verified_at !== null, roles: JSON.parse(row.roles) as string[] };
}

export async function insertPhoneFactor(db: Db, row: MfaPhoneFactorsTable): Promise<void> {
  await db.insertInto('mfa_phone_factors').values(row).execute();
}

/** Drops the account's pending numbers (one at a time) and every expired pending number. */
export async function deletePendingPhoneFactors(db: Db, accountId: string, now: number): Promise<void> {
  await db
    .deleteFrom('mfa_phone_factors')
    .where('confirmed_at', 'is', null)
    .where((eb) => eb.or([eb('account_id', '=', accountId), eb('expires_at', '<=', now)]))
    .execute();
}

export async function findPendingPhoneFactor(
  db: Db,
  accountId: string,
  factorId: string,
  now: number,
): Promise<MfaPhoneFactorsTable | undefined> {
  return db
    .selectFrom('mfa_phone_factors')
    .selectAll()
    .where('id', '=', factorId)
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function listConfirmedPhoneFactors(db: Db, accountId: string): Promise<MfaPhoneFactorsTable[]> {
  return db
    .selectFrom('mfa_phone_factors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is not', null)
    .orderBy('confirmed_at', 'asc')
    .execute();
}

export async function countConfirmedPhoneFactors(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('mfa_phone_factors')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Confirms a pending number; of two concurrent confirmations exactly one wins (true). */
export async function confirmPhoneFactor(db: Db, factorId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mfa_phone_factors')
    .set({ confirmed_at: now, expires_at: null })
    .where('id', '=', factorId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function markPhoneFactorUsed(db: Db, factorId: string, now: number): Promise<void> {
  await db.updateTable('mfa_phone_factors').set({ last_used_at: now }).where('id', '=', factorId).execute();
}

export async function deletePhoneFactor(db: Db, accountId: string, factorId: string): Promise<boolean> {
  const result = await db.deleteFrom('mfa_phone_factors').where('id', '=', factorId).where('account_id', '=', accountId).executeTakeFirst();
  return result.numDeletedRows === 1n;
}
