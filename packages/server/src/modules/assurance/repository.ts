/**
 * @module modules/assurance/repository
 *
 * SQL for sign-in challenges and the account facts the assurance decision needs. Challenge
 * attempts and use are spent by conditional updates whose affected-row count decides.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, MfaChallengesTable } from '../../platform/db/index.ts';

type Db = Kysely<Database>;

export async function findAccountEmail(db: Db, accountId: string): Promise<string | undefined> {
  const row = await db.selectFrom('accounts').select('email').where('id', '=', accountId).executeTakeFirst();
  return row?.email;
}

/** The account's roles (JSON in the accounts table), or `undefined` when it is gone. */
export async function findAccountRoles(db: Db, accountId: string): Promise<string[] | undefined> {
  const row = await db.selectFrom('accounts').select('roles').where('id', '=', accountId).executeTakeFirst();
  return row ? (JSON.parse(row.roles) as string[]) : undefined;
}

/** Which second factors the account can use right now. */
export async function factorInventory(db: Db, accountId: string): Promise<{ totp: boolean; recoveryCodes: boolean; passkey: boolean }> {
  const [totp, codes, passkeys] = await Promise.all([
    db
      .selectFrom('mfa_totp_factors')
      .select('id')
      .where('account_id', '=', accountId)
      .where('confirmed_at', 'is not', null)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('mfa_recovery_codes')
      .select('account_id')
      .where('account_id', '=', accountId)
      .where('used_at', 'is', null)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('passkey_credentials')
      .select('id')
      .where('account_id', '=', accountId)
      .where('suspended_at', 'is', null)
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { totp: totp !== undefined, recoveryCodes: codes !== undefined, passkey: passkeys !== undefined };
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
