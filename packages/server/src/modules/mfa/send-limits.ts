/**
 * @module modules/mfa/send-limits
 *
 * How many codes may be sent, and how often, per key: per sign-in challenge (at most 3, 30 s
 * apart), per account's phone enrolment (5 an hour, 30 s apart) and per destination number
 * (10 an hour, whichever accounts ask). Each send is *taken* before anything is sent, by a
 * conditional increment whose affected-row count decides, so a concurrent burst cannot send
 * more than the limit (ASVS V6.6.3; SMS bombing and toll fraud). A window that has run its
 * course is deleted, which starts the next one.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

export interface SendPolicy {
  readonly key: string;
  readonly maxSends: number;
  /** Least time between two sends for this key. */
  readonly intervalMs: number;
  /** When the count starts over (for a challenge: when it expires). */
  readonly windowEndsAt: number;
}

export type SendPermit =
  | { readonly ok: true; readonly sendsLeft: number }
  | { readonly ok: false; readonly reason: 'too_soon'; readonly retryAfterMs: number }
  | { readonly ok: false; readonly reason: 'limit_reached'; readonly retryAfterMs: number };

/** Takes one send for `policy.key`, or says why not. */
export async function takeSend(db: Kysely<Database>, policy: SendPolicy, now: number): Promise<SendPermit> {
  await db.deleteFrom('mfa_send_limits').where('window_ends_at', '<=', now).execute();
  await db
    .insertInto('mfa_send_limits')
    .values({ key: policy.key, sends: 0, last_sent_at: 0, window_ends_at: policy.windowEndsAt })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
  const taken = await db
    .updateTable('mfa_send_limits')
    .set({ sends: sql`sends + 1`, last_sent_at: now })
    .where('key', '=', policy.key)
    .where('sends', '<', policy.maxSends)
    .where('last_sent_at', '<=', now - policy.intervalMs)
    .executeTakeFirst();
  const row = await db
    .selectFrom('mfa_send_limits')
    .select(['sends', 'last_sent_at', 'window_ends_at'])
    .where('key', '=', policy.key)
    .executeTakeFirst();
  const sends = row?.sends ?? policy.maxSends;
  if (taken.numUpdatedRows === 1n) return { ok: true, sendsLeft: Math.max(0, policy.maxSends - sends) };
  if (sends >= policy.maxSends)
    return { ok: false, reason: 'limit_reached', retryAfterMs: Math.max(0, (row?.window_ends_at ?? now) - now) };
  return { ok: false, reason: 'too_soon', retryAfterMs: Math.max(0, (row?.last_sent_at ?? now) + policy.intervalMs - now) };
}
