/**
 * @module modules/mfa/repository
 *
 * SQL for second factors. Every check that makes a code single-use is a conditional write whose
 * affected-row count is the answer (`… WHERE last_step < :step`, `… WHERE used_at IS NULL`), so
 * two concurrent requests can never both win, on SQLite or PostgreSQL. The pending-to-confirmed
 * lifecycle TOTP shares with phones is in factor-lifecycle.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, MfaRecoveryCodesTable, MfaTotpFactorsTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

// ── TOTP ─────────────────────────────────────────────────────────────────────────────────────

export async function insertTotpFactor(db: Db, row: MfaTotpFactorsTable): Promise<void> {
  await db.insertInto('mfa_totp_factors').values(row).execute();
}

/**
 * Records `step` as the factor's last accepted step, only if it is strictly newer. The
 * condition is evaluated by the database under the row lock, so of two concurrent submissions
 * of the same code exactly one updates the row.
 */
export async function advanceTotpStep(db: Db, factorId: string, step: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mfa_totp_factors')
    .set({ last_step: step, last_used_at: now })
    .where('id', '=', factorId)
    .where('last_step', '<', step)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

// ── Recovery codes ───────────────────────────────────────────────────────────────────────────

/**
 * Makes `setId` the account's current set. The upsert takes the account's set row lock first,
 * so concurrent regenerations run one after the other and the last one's codes are the only ones left.
 */
export async function replaceRecoveryCodeSet(db: Db, accountId: string, setId: string, now: number): Promise<void> {
  await db
    .insertInto('mfa_recovery_code_sets')
    .values({ account_id: accountId, id: setId, created_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ id: setId, created_at: now }))
    .execute();
  await db.deleteFrom('mfa_recovery_codes').where('account_id', '=', accountId).execute();
}

export async function insertRecoveryCodes(db: Db, rows: readonly MfaRecoveryCodesTable[]): Promise<void> {
  await db
    .insertInto('mfa_recovery_codes')
    .values([...rows])
    .execute();
}

export async function findRecoveryCodeSet(db: Db, accountId: string): Promise<{ id: string; created_at: number } | undefined> {
  return db.selectFrom('mfa_recovery_code_sets').select(['id', 'created_at']).where('account_id', '=', accountId).executeTakeFirst();
}

export async function listRecoveryCodes(db: Db, accountId: string): Promise<Pick<MfaRecoveryCodesTable, 'id' | 'code_hash' | 'used_at'>[]> {
  return db.selectFrom('mfa_recovery_codes').select(['id', 'code_hash', 'used_at']).where('account_id', '=', accountId).execute();
}

/** Spends one code; false when a concurrent request spent it first. */
export async function markRecoveryCodeUsed(db: Db, codeId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('id', '=', codeId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
