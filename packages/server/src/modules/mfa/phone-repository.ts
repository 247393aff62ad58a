/**
 * @module modules/mfa/phone-repository
 *
 * SQL for phone factors and the account facts their rules need. As for TOTP, the writes that
 * must happen once (confirming a number) are conditional updates whose affected-row count is the
 * answer, so two concurrent requests can never both win. The pending-to-confirmed lifecycle
 * itself is shared with TOTP (factor-lifecycle.ts).
 */
import { openAccountEmail } from '../../platform/contact/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database, MfaPhoneFactorsTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Address, whether it is verified, and roles of an account. Read-only use of the accounts table. */
export async function findAccountContact(
  dataProtection: DataProtection,
  db: Db,
  accountId: string,
): Promise<{ email: string; emailVerified: boolean; roles: string[] } | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'email_sealed', 'email_verified_at', 'roles'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    email: await openAccountEmail(dataProtection, db, row),
    emailVerified: row.email_verified_at !== null,
    roles: JSON.parse(row.roles) as string[],
  };
}

export async function insertPhoneFactor(db: Db, row: MfaPhoneFactorsTable): Promise<void> {
  await db.insertInto('mfa_phone_factors').values(row).execute();
}

export async function markPhoneFactorUsed(db: Db, factorId: string, now: number): Promise<void> {
  await db.updateTable('mfa_phone_factors').set({ last_used_at: now }).where('id', '=', factorId).execute();
}
