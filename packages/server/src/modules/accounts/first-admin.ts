/**
 * @module modules/accounts/first-admin
 *
 * `portcullis admin create`: the one documented way to make the first administrator (or to
 * promote an existing account when every admin is gone). It needs shell access to the server
 * and its key ring, which is the trust root anyway. The account gets the `admin` role and a
 * single-use password-setting code (the password-reset code, 8 digits, 15 minutes) printed to
 * the operator instead of mailed. Nothing else is granted: the admin role requires a passkey
 * (`mfa.requiredLevel.admin`), so the first sign-in with that password lands in a restricted
 * session that can only register one; every later sign-in uses the passkey.
 *
 * An account that is already an administrator is left alone once it has a password: the command
 * is not a way around the passkey. Until then (the code expired unused) it gets a new code.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { AccountsTable, Database } from '../../platform/db/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import { writeAuditEvent } from '../../platform/audit/audit.ts';
import { CODE_POLICY, issueCode } from './one-time-codes.ts';
import * as repo from './repository.ts';

export type FirstAdmin =
  | {
      /**
       * `created`: a new account; `promoted`: an existing account got the admin role;
       * `new-code`: already an administrator who has not set a password yet.
       */
      readonly outcome: 'created' | 'promoted' | 'new-code';
      readonly accountId: string;
      /** Single-use code for `POST /v1/accounts/password-reset/confirm`; earlier ones stop working. */
      readonly code: string;
      readonly validForMinutes: number;
    }
  /** Already an administrator with a password: nothing was changed and no code issued. */
  | { readonly outcome: 'already-admin'; readonly accountId: string };

const ADMIN_ROLE = 'admin';

export async function createFirstAdmin(deps: { db: Kysely<Database>; keyRing: KeyRing; clock: Clock }, email: string): Promise<FirstAdmin> {
  const now = deps.clock.now();
  const normalized = repo.normalizeEmail(email);
  return withTransaction(deps.db, async (tx) => {
    const existing = await repo.findAccountByEmail(tx, normalized);
    const alreadyAdmin = existing !== undefined && (JSON.parse(existing.roles) as string[]).includes(ADMIN_ROLE);
    if (existing && alreadyAdmin && existing.password_hash !== null) return { outcome: 'already-admin', accountId: existing.id };
    let accountId: string;
    if (existing) {
      accountId = existing.id;
      const roles = new Set(JSON.parse(existing.roles) as string[]);
      roles.add(ADMIN_ROLE);
      await tx
        .updateTable('accounts')
        // The operator vouches for the address; the code below proves control of the account.
        .set({ roles: JSON.stringify([...roles]), email_verified_at: existing.email_verified_at ?? now, status: 'active', updated_at: now })
        .where('id', '=', accountId)
        .execute();
    } else {
      const account: AccountsTable = {
        id: randomUUID(),
        email: normalized,
        email_verified_at: now,
        password_hash: null,
        password_changed_at: null,
        roles: JSON.stringify([ADMIN_ROLE]),
        status: 'active',
        created_at: now,
        updated_at: now,
      };
      await repo.insertAccount(tx, account);
      accountId = account.id;
    }
    const code = await issueCode(tx, deps.keyRing, { accountId, purpose: 'reset_password', now });
    await writeAuditEvent(tx, deps.clock, {
      action: 'account.admin_created',
      outcome: 'success',
      subjectId: accountId,
      reason: alreadyAdmin ? 'new_code_from_cli' : existing ? 'promoted_from_cli' : 'created_from_cli',
    });
    const outcome = alreadyAdmin ? 'new-code' : existing ? 'promoted' : 'created';
    return { outcome, accountId, code, validForMinutes: CODE_POLICY.reset_password.ttlMinutes };
  });
}
