/**
 * @module modules/assurance/repository
 *
 * SQL for sign-in challenges and the account facts the assurance decision needs. Challenge
 * attempts and use are spent by conditional updates whose affected-row count decides.
 */
import { sql, type Kysely } from 'kysely';
import { preparedQuery, type Database, type MfaChallengesTable } from '../../platform/db/index.ts';

type Db = Kysely<Database>;

/** The account's roles (JSON in the accounts table), or `undefined` when it is gone. */
export async function findAccountRoles(db: Db, accountId: string): Promise<string[] | undefined> {
  const row = await db.selectFrom('accounts').select('roles').where('id', '=', accountId).executeTakeFirst();
  return row ? (JSON.parse(row.roles) as string[]) : undefined;
}

/** What the sign-in and step-up decisions need to know about an account's factors and contacts. */
export interface FactorInventory {
  readonly totp: boolean;
  readonly recoveryCodes: boolean;
  readonly passkey: boolean;
  /** A confirmed phone number (an SMS code could reach it when SMS is configured). */
  readonly phone: boolean;
  /** The account's email address is verified (an email code could reach it). */
  readonly verifiedEmail: boolean;
}

// One statement on the sign-in path instead of five, compiled once.
const factorInventoryQuery = preparedQuery((db, p: { accountId: string }) =>
  db.selectNoFrom((eb) => [
    eb
      .exists(eb.selectFrom('mfa_totp_factors').select('id').where('account_id', '=', p.accountId).where('confirmed_at', 'is not', null))
      .as('totp'),
    eb
      .exists(eb.selectFrom('mfa_recovery_codes').select('account_id').where('account_id', '=', p.accountId).where('used_at', 'is', null))
      .as('recoveryCodes'),
    eb
      .exists(eb.selectFrom('passkey_credentials').select('id').where('account_id', '=', p.accountId).where('suspended_at', 'is', null))
      .as('passkey'),
    eb
      .exists(eb.selectFrom('mfa_phone_factors').select('id').where('account_id', '=', p.accountId).where('confirmed_at', 'is not', null))
      .as('phone'),
    eb
      .exists(eb.selectFrom('accounts').select('id').where('id', '=', p.accountId).where('email_verified_at', 'is not', null))
      .as('verifiedEmail'),
  ]),
);

/** Which second factors the account can use right now, and where a code could reach it. */
export async function factorInventory(db: Db, accountId: string): Promise<FactorInventory> {
  const [row] = await factorInventoryQuery.rows(db, { accountId });
  if (!row) throw new Error('a select without FROM returned no row');
  // SQLite answers 0/1, PostgreSQL true/false.
  return {
    totp: Boolean(row.totp),
    recoveryCodes: Boolean(row.recoveryCodes),
    passkey: Boolean(row.passkey),
    phone: Boolean(row.phone),
    verifiedEmail: Boolean(row.verifiedEmail),
  };
}

export async function insertChallenge(db: Db, challenge: MfaChallengesTable): Promise<void> {
  await db.insertInto('mfa_challenges').values(challenge).execute();
}

export async function findChallenge(db: Db, id: string): Promise<MfaChallengesTable | undefined> {
  return db.selectFrom('mfa_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Takes one attempt from a live challenge; false when it is spent, used or expired. */
export async function takeChallengeAttempt(db: Db, id: string, maxAttempts: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mfa_challenges')
    .set({ attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('attempts', '<', maxAttempts)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Marks the challenge used; exactly one caller wins. */
export async function useChallenge(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mfa_challenges')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
