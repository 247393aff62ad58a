/**
 * @module platform/contact/email
 *
 * The one place that knows how an account's email address is kept. An address is normalised
 * (`normalizeEmail`) once, where it enters; the account row then holds it only
 *
 * - sealed for the account holder (`accounts.email_sealed`, data protection bound to table,
 *   column, account id and subject), and
 * - as a blind index (`accounts.email_index`, HMAC-SHA-256 under the key-service-held index key,
 *   unique), which finds the account at sign-in and refuses a second account for the address
 *   in any case or Unicode form.
 *
 * Nothing in the database reads as the address without the key service.
 */
import type { DataDb, DataProtection, FieldLocation } from '../data-protection/index.ts';

/** The address rule every look-up and every stored address follows: NFKC, trimmed, lower case. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** Where an account's address is sealed; the account is its own data subject. */
export function accountEmailLocation(accountId: string): FieldLocation {
  return { table: 'accounts', column: 'email_sealed', rowId: accountId };
}

/** The blind index of an already normalised address. */
export function emailIndex(dataProtection: DataProtection, db: DataDb, normalised: string): Promise<string> {
  return dataProtection.blindIndex(db, 'email', normalised);
}

/** The two columns that hold an account's (normalised) address. */
export async function sealAccountEmail(
  dataProtection: DataProtection,
  db: DataDb,
  accountId: string,
  normalised: string,
): Promise<{ email_sealed: string; email_index: string }> {
  return {
    email_sealed: await dataProtection.seal(db, accountId, normalised, accountEmailLocation(accountId)),
    email_index: await emailIndex(dataProtection, db, normalised),
  };
}

/** Opens the address of an account row (throws `SealedDataUnreadableError` when it was moved or erased). */
export function openAccountEmail(
  dataProtection: DataProtection,
  db: DataDb,
  row: { readonly id: string; readonly email_sealed: string },
): Promise<string> {
  return dataProtection.open(db, row.id, row.email_sealed, accountEmailLocation(row.id));
}

/** The address of an account, opened; undefined when there is no such account. */
export async function findAccountEmail(dataProtection: DataProtection, db: DataDb, accountId: string): Promise<string | undefined> {
  const row = await db.selectFrom('accounts').select(['id', 'email_sealed']).where('id', '=', accountId).executeTakeFirst();
  return row ? openAccountEmail(dataProtection, db, row) : undefined;
}
