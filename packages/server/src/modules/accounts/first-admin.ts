/**
 * @module modules/accounts/first-admin
 *
 * `portcullis admin create`: the one documented way to make the first administrator (or to
 * promote an existing account when every admin is gone). It needs shell access to the server
 * and its key ring, which is the trust root anyway. The account gets the `admin` role and a
 * single-use password-setting code (the password-reset code, 8 digits, 15 minutes) printed to
 * the operator instead of mailed. Nothing else is granted: the admin role requires a passkey
 * (`mfa.requiredLevel.admin`), so the first sign-in with that password lands in a restricted
 * session that can only register one; every later sign-in uses the passkey. With passwords
 * turned off (`passwords.enabled: false`) the code is an email-confirmation code instead: the
 * confirmation (`POST /v1/accounts/verify-email` with a device and a DPoP proof) opens that same
 * restricted session directly, as a passkey-first sign-up does, as long as the account holds no
 * credential yet.
 *
 * An account that is already an administrator is left alone once it holds a credential (a
 * password, a passkey, …): the command is not a way around them. Until then (the code expired
 * unused) it gets a new code.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { CODE_POLICY, issueCode } from './one-time-codes.ts';
import * as repo from './repository.ts';

export type FirstAdmin =
  | {
      /**
       * `created`: a new account; `promoted`: an existing account got the admin role;
       * `new-code`: already an administrator who holds no credential yet.
       */
      readonly outcome: 'created' | 'promoted' | 'new-code';
      readonly accountId: string;
      /** Single-use code for `redeemAt`; earlier ones stop working. */
      readonly code: string;
      /** Where the code is redeemed: set a password, or (passwords off) confirm the address for a passkey-only session. */
      readonly redeemAt: '/v1/accounts/password-reset/confirm' | '/v1/accounts/verify-email';
      readonly validForMinutes: number;
    }
  /** Already an administrator holding a credential: nothing was changed and no code issued. */
  | { readonly outcome: 'already-admin'; readonly accountId: string };

const ADMIN_ROLE = 'admin';

export async function createFirstAdmin(
  deps: { db: Kysely<Database>; keyRing: KeyRing; dataProtection: DataProtection; clock: Clock; passwordsEnabled: boolean },
  email: string,
  /** The command's own context (`detachedRequestContext`): no request, no signed-in actor. */
  context: RequestContext,
): Promise<FirstAdmin> {
  const purpose = deps.passwordsEnabled ? 'reset_password' : 'verify_email';
  const now = deps.clock.now();
  const normalized = repo.normalizeEmail(email);
  return withTransaction(deps.db, async (tx) => {
    const existing = await repo.findAccountByEmail(deps.dataProtection, tx, normalized);
    const alreadyAdmin = existing !== undefined && (JSON.parse(existing.roles) as string[]).includes(ADMIN_ROLE);
    if (existing && alreadyAdmin && (await repo.hasAnyCredential(tx, existing.id)))
      return { outcome: 'already-admin', accountId: existing.id };
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
      const account: repo.AccountRecord = {
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
      await repo.insertAccount(deps.dataProtection, tx, account);
      accountId = account.id;
    }
    const code = await issueCode(tx, deps.keyRing, { accountId, purpose, now });
    await context.audit(
      'account.admin_created',
      { subject: accountId, detail: alreadyAdmin ? 'new_code_from_cli' : existing ? 'promoted_from_cli' : 'created_from_cli' },
      tx,
    );
    return {
      outcome: alreadyAdmin ? 'new-code' : existing ? 'promoted' : 'created',
      accountId,
      code,
      validForMinutes: CODE_POLICY[purpose].ttlMinutes,
      redeemAt: deps.passwordsEnabled ? '/v1/accounts/password-reset/confirm' : '/v1/accounts/verify-email',
    };
  });
}
