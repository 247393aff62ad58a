/**
 * @module modules/accounts/one-time-codes
 *
 * Single-use, expiring, attempt-limited codes sent by email (verification, password reset).
 * Only HMAC-SHA-256 of the code under the `code-hmac` key is stored, bound to the account and
 * purpose. The attempt budget is spent atomically in the database before the comparison, so a
 * concurrent burst of guesses cannot exceed it.
 */
import type { Kysely, Transaction } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { KeyRing } from '../../platform/crypto/index.ts';
import { constantTimeEqual, hmacSha256, randomDigits } from '../../platform/crypto/index.ts';
import type { Database, OneTimeCodesTable } from '../../platform/db/index.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type CodePurpose = OneTimeCodesTable['purpose'];

export const CODE_POLICY: Readonly<Record<CodePurpose, { digits: number; ttlMinutes: number; maxAttempts: number }>> = {
  verify_email: { digits: 6, ttlMinutes: 30, maxAttempts: 5 },
  reset_password: { digits: 8, ttlMinutes: 15, maxAttempts: 5 },
};

function codeHash(keyRing: KeyRing, accountId: string, purpose: CodePurpose, code: string): string {
  return hmacSha256(keyRing.key('code-hmac'), `${purpose}\u0000${accountId}\u0000${code}`);
}

/** Issues a new code (earlier unused codes of the same purpose stop working) and returns it for mailing. */
export async function issueCode(
  db: Db,
  keyRing: KeyRing,
  input: { accountId: string; purpose: CodePurpose; now: number },
): Promise<string> {
  const policy = CODE_POLICY[input.purpose];
  const code = randomDigits(policy.digits);
  await db
    .updateTable('one_time_codes')
    .set({ used_at: input.now })
    .where('account_id', '=', input.accountId)
    .where('purpose', '=', input.purpose)
    .where('used_at', 'is', null)
    .execute();
  await db
    .insertInto('one_time_codes')
    .values({
      id: randomUUID(),
      account_id: input.accountId,
      purpose: input.purpose,
      code_hash: codeHash(keyRing, input.accountId, input.purpose, code),
      attempts: 0,
      created_at: input.now,
      expires_at: input.now + policy.ttlMinutes * 60_000,
      used_at: null,
    })
    .execute();
  return code;
}

/**
 * Consumes the account's live code if `code` matches. Every call spends one attempt first; the
 * code dies when used, expired, or out of attempts. Returns whether it matched.
 */
export async function consumeCode(
  db: Db,
  keyRing: KeyRing,
  input: { accountId: string; purpose: CodePurpose; code: string; now: number },
): Promise<boolean> {
  const policy = CODE_POLICY[input.purpose];
  const live = await db
    .selectFrom('one_time_codes')
    .select(['id', 'code_hash'])
    .where('account_id', '=', input.accountId)
    .where('purpose', '=', input.purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', input.now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!live) return false;
  const spent = await db
    .updateTable('one_time_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', live.id)
    .where('attempts', '<', policy.maxAttempts)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (spent.numUpdatedRows !== 1n) return false;
  if (!constantTimeEqual(codeHash(keyRing, input.accountId, input.purpose, input.code), live.code_hash)) return false;
  const used = await db
    .updateTable('one_time_codes')
    .set({ used_at: input.now })
    .where('id', '=', live.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return used.numUpdatedRows === 1n;
}
