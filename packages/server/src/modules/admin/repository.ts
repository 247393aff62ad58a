/**
 * @module modules/admin/repository
 *
 * SQL for the admin API: account search with keyset pagination, status changes, and removal of
 * an account's second factors (a reset). Every write names the one account it changes.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountsTable, Database } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AccountSearch {
  /** Blind index of the exact (normalised) address searched for. */
  readonly emailIndex?: string | undefined;
  readonly role?: string | undefined;
  readonly status?: AccountsTable['status'] | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

/** `%` and `_` are wildcards in LIKE; a role name may contain `_`. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchAccounts(db: Db, search: AccountSearch): Promise<AccountsTable[]> {
  let query = db.selectFrom('accounts').selectAll();
  if (search.emailIndex !== undefined) query = query.where('email_index', '=', search.emailIndex);
  if (search.status !== undefined) query = query.where('status', '=', search.status);
  // Roles are a JSON array of names; the quoted name matches one element exactly.
  if (search.role !== undefined) query = query.where(sql<boolean>`roles like ${`%"${likeEscape(search.role)}"%`} escape '\\'`);
  if (search.after !== undefined) query = query.where('id', '>', search.after);
  return query
    .orderBy('id')
    .limit(search.limit + 1)
    .execute();
}

export async function findAccount(db: Db, id: string): Promise<AccountsTable | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setStatus(db: Db, id: string, status: AccountsTable['status'], now: number): Promise<void> {
  await db.updateTable('accounts').set({ status, updated_at: now }).where('id', '=', id).execute();
}

export async function setRoles(db: Db, id: string, roles: readonly string[], now: number): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ roles: JSON.stringify(roles), updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Removes every authenticator-app factor, recovery code, passkey and phone number of one account; returns counts. */
export async function removeSecondFactors(
  db: Db,
  accountId: string,
): Promise<{ totp: number; recoveryCodeSets: number; passkeys: number; phones: number }> {
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  const totp = await db.deleteFrom('mfa_totp_factors').where('account_id', '=', accountId).executeTakeFirst();
  await db.deleteFrom('mfa_recovery_codes').where('account_id', '=', accountId).executeTakeFirst();
  const sets = await db.deleteFrom('mfa_recovery_code_sets').where('account_id', '=', accountId).executeTakeFirst();
  const passkeys = await db.deleteFrom('passkey_credentials').where('account_id', '=', accountId).executeTakeFirst();
  const phones = await db.deleteFrom('mfa_phone_factors').where('account_id', '=', accountId).executeTakeFirst();
  return { totp: count(totp), recoveryCodeSets: count(sets), passkeys: count(passkeys), phones: count(phones) };
}
