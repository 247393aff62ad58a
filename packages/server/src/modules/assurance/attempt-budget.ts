/**
 * @module modules/assurance/attempt-budget
 *
 * Wrong second-factor codes per account, across every challenge (ASVS V6.3.1, NIST SP 800-63B
 * §5.2.2 rate limiting). An attempt is *reserved* before the code is checked, by a conditional
 * increment whose affected-row count decides, so a concurrent burst of guesses cannot check more
 * codes than the budget allows. A correct code gives the reservation back (the count resets);
 * when a reservation finds the budget spent, code factors lock for `lockoutSeconds`.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/index.ts';

export type Reservation =
  { readonly reserved: true } | { readonly reserved: false; readonly lockedUntil: number; readonly newlyLocked: boolean };

export interface BudgetPolicy {
  readonly attempts: number;
  readonly lockoutMs: number;
}

/** Takes one attempt from the account's budget, or reports the lockout. */
export async function reserveAttempt(db: Kysely<Database>, accountId: string, policy: BudgetPolicy, now: number): Promise<Reservation> {
  await db
    .insertInto('second_factor_budgets')
    .values({ account_id: accountId, failures: 0, locked_until: null, updated_at: now })
    .onConflict((conflict) => conflict.column('account_id').doNothing())
    .execute();
  // A lockout that has run its course starts a fresh budget.
  await db
    .updateTable('second_factor_budgets')
    .set({ failures: 0, locked_until: null, updated_at: now })
    .where('account_id', '=', accountId)
    .where('locked_until', '<=', now)
    .execute();
  const taken = await db
    .updateTable('second_factor_budgets')
    .set({ failures: sql`failures + 1`, updated_at: now })
    .where('account_id', '=', accountId)
    .where('failures', '<', policy.attempts)
    .where('locked_until', 'is', null)
    .executeTakeFirst();
  if (taken.numUpdatedRows === 1n) return { reserved: true };
  // Spent: lock once (the first refusal sets the time and is the one that notifies).
  const lockedUntil = now + policy.lockoutMs;
  const locked = await db
    .updateTable('second_factor_budgets')
    .set({ locked_until: lockedUntil, updated_at: now })
    .where('account_id', '=', accountId)
    .where('locked_until', 'is', null)
    .executeTakeFirst();
  if (locked.numUpdatedRows === 1n) return { reserved: false, lockedUntil, newlyLocked: true };
  const row = await db.selectFrom('second_factor_budgets').select('locked_until').where('account_id', '=', accountId).executeTakeFirst();
  return { reserved: false, lockedUntil: row?.locked_until ?? lockedUntil, newlyLocked: false };
}

/** A correct code: the wrong guesses before it no longer count. */
export async function resetBudget(db: Kysely<Database>, accountId: string, now: number): Promise<void> {
  await db
    .updateTable('second_factor_budgets')
    .set({ failures: 0, updated_at: now })
    .where('account_id', '=', accountId)
    .where('locked_until', 'is', null)
    .execute();
}
