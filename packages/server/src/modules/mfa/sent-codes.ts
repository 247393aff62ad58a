/**
 * @module modules/mfa/sent-codes
 *
 * One-time codes sent by email or SMS: 6 digits from the CSPRNG (ASVS V6.5.3, V6.5.4), stored
 * only as HMAC-SHA-256 under the key ring's `code-hmac` key, bound to the account, the purpose,
 * what the code answers (a sign-in challenge, a pending phone) and the channel — so a code sent
 * for one challenge is no code at all for another (V6.6.2). A code expires (V6.5.5), a newer
 * code for the same binding and channel replaces it, and it is spent by a conditional update
 * (V6.5.1). Each code also counts its own wrong attempts, spent atomically before the comparison.
 */
import { randomUUID } from 'node:crypto';
import { OUT_OF_BAND_CODE_DIGITS } from '@portcullis/protocol';
import type { Kysely, Transaction } from 'kysely';
import { constantTimeEqual, hmacSha256, randomDigits, type KeyRing } from '../../platform/crypto/index.ts';
import type { Database, MfaSentCodesTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface SentCodeBinding {
  readonly accountId: string;
  readonly purpose: MfaSentCodesTable['purpose'];
  /** A sign-in challenge id or a pending phone factor id. */
  readonly bindingId: string;
  readonly channel: MfaSentCodesTable['channel'];
}

export type SentCodeFailureReason = 'code_malformed' | 'no_code' | 'attempts_spent' | 'code_invalid' | 'code_used';

const CODE_PATTERN = new RegExp(`^[0-9]{${String(OUT_OF_BAND_CODE_DIGITS)}}$`);

function codeHash(keyRing: KeyRing, binding: SentCodeBinding, code: string): string {
  // Domain-separated from recovery codes and emailed account codes, which share the key.
  return hmacSha256(
    keyRing.key('code-hmac'),
    ['mfa_sent_code', binding.purpose, binding.accountId, binding.bindingId, binding.channel, code].join('\u0000'),
  );
}

/** Issues a new code for `binding` (earlier live codes for it stop working) and returns it for sending. */
export async function issueSentCode(
  db: Db,
  keyRing: KeyRing,
  binding: SentCodeBinding,
  options: { readonly now: number; readonly expiresAt: number },
): Promise<string> {
  const code = randomDigits(OUT_OF_BAND_CODE_DIGITS);
  // Housekeeping: the account's dead codes go, so the table holds only what can still matter.
  await db.deleteFrom('mfa_sent_codes').where('account_id', '=', binding.accountId).where('expires_at', '<=', options.now).execute();
  await db
    .updateTable('mfa_sent_codes')
    .set({ used_at: options.now })
    .where('binding_id', '=', binding.bindingId)
    .where('channel', '=', binding.channel)
    .where('purpose', '=', binding.purpose)
    .where('account_id', '=', binding.accountId)
    .where('used_at', 'is', null)
    .execute();
  await db
    .insertInto('mfa_sent_codes')
    .values({
      id: randomUUID(),
      account_id: binding.accountId,
      purpose: binding.purpose,
      binding_id: binding.bindingId,
      channel: binding.channel,
      code_hash: codeHash(keyRing, binding, code),
      attempts: 0,
      created_at: options.now,
      expires_at: options.expiresAt,
      used_at: null,
    })
    .execute();
  return code;
}

/**
 * Spends the live code of `binding` if `code` matches. Every well-formed guess first spends one
 * of the code's `maxAttempts`; the code dies when used, replaced, expired or out of attempts.
 */
export async function consumeSentCode(
  db: Db,
  keyRing: KeyRing,
  binding: SentCodeBinding,
  input: { readonly code: string; readonly maxAttempts: number; readonly now: number },
): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: SentCodeFailureReason }> {
  if (!CODE_PATTERN.test(input.code)) return { ok: false, reason: 'code_malformed' };
  const live = await db
    .selectFrom('mfa_sent_codes')
    .select(['id', 'code_hash'])
    .where('binding_id', '=', binding.bindingId)
    .where('channel', '=', binding.channel)
    .where('purpose', '=', binding.purpose)
    .where('account_id', '=', binding.accountId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', input.now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!live) return { ok: false, reason: 'no_code' };
  const spent = await db
    .updateTable('mfa_sent_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', live.id)
    .where('attempts', '<', input.maxAttempts)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (spent.numUpdatedRows !== 1n) return { ok: false, reason: 'attempts_spent' };
  if (!constantTimeEqual(codeHash(keyRing, binding, input.code), live.code_hash)) return { ok: false, reason: 'code_invalid' };
  const used = await db
    .updateTable('mfa_sent_codes')
    .set({ used_at: input.now })
    .where('id', '=', live.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return used.numUpdatedRows === 1n ? { ok: true } : { ok: false, reason: 'code_used' };
}

/** Ends every live code of the account on `channel` (its phone was removed). */
export async function revokeSentCodes(db: Db, accountId: string, channel: MfaSentCodesTable['channel'], now: number): Promise<void> {
  await db
    .updateTable('mfa_sent_codes')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('channel', '=', channel)
    .where('used_at', 'is', null)
    .execute();
}
