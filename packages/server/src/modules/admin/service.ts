/**
 * @module modules/admin/service
 *
 * The admin API's domain logic (SPEC "Admin API"): search accounts with their email masked
 * unless the route unmasks it, view one account with its sessions and elevations, lock and
 * unlock, force sign-out, reset second factors (the person is told by email), change roles.
 * Separation of duties: nobody locks, resets or changes the roles of their own account, and the
 * admin role is granted only through a second admin's approval (modules/elevation). Every
 * action is audited with the acting admin, the account concerned and the outcome — identifiers
 * and short codes only, never an email address.
 */
import type { Kysely } from 'kysely';
import type { AdminAccount, AdminAccountDetail, AdminActionResult, MfaResetResult, RolesChangeResult } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';
import type { AuditAction } from '../../platform/audit/catalogue.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import { emailIndex, normalizeEmail, openAccountEmail } from '../../platform/contact/index.ts';
import { SealedDataUnreadableError } from '../../platform/crypto/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { AccountsTable, Database } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Mailer } from '../../platform/mailer/index.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import { grantNeedsApproval, listOpenElevationsOf, requestRoleGrant, type ElevationDeps } from '../elevation/index.ts';
import { listSessions, revokeSessions, type SessionsDeps } from '../sessions/index.ts';
import type { AttackMode } from '../defense/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { maskEmail } from './mask.ts';
import { mfaResetMessage } from './notification.ts';
import * as repo from './repository.ts';

export interface AdminDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** Opens account addresses and indexes the one searched for (platform/contact). */
  readonly dataProtection: DataProtection;
  readonly access: Config['access'];
  readonly sessions: SessionsDeps;
  readonly elevation: ElevationDeps;
  readonly mailer: Mailer;
  /** Deployment-wide attack mode, shown to admins as an alert. */
  readonly attackMode: AttackMode;
  /** Called when the notification email could not be sent (the reset itself stands). */
  readonly onBackgroundError: (error: unknown) => void;
}

export const ADMIN_LIST_DEFAULT_LIMIT = 50;

/** Listed for an account whose address no longer opens (the person was erased). */
const UNREADABLE_EMAIL = '(erased)';

/** The account as admins see it; the address is opened here and masked unless the route unmasks it. */
async function toAccountDto(deps: AdminDeps, row: AccountsTable, options: { unmasked: boolean }): Promise<AdminAccount> {
  const email = await openAccountEmail(deps.dataProtection, deps.db, row).catch((error: unknown) => {
    if (error instanceof SealedDataUnreadableError) return undefined;
    throw error;
  });
  return {
    id: row.id,
    email: email === undefined ? UNREADABLE_EMAIL : options.unmasked ? email : maskEmail(email),
    masked: !options.unmasked,
    emailVerified: row.email_verified_at !== null,
    roles: JSON.parse(row.roles) as string[],
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export interface AccountQuery {
  readonly email?: string | undefined;
  readonly role?: string | undefined;
  readonly status?: AccountsTable['status'] | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

export async function listAccounts(
  deps: AdminDeps,
  query: AccountQuery,
  options: { unmasked: boolean },
  context: RequestContext,
): Promise<{ accounts: AdminAccount[]; nextAfter: string | null }> {
  const limit = query.limit ?? ADMIN_LIST_DEFAULT_LIMIT;
  // Addresses are found by the blind index of their normalised form: an exact match, in any case or Unicode form.
  const index = query.email === undefined ? undefined : await emailIndex(deps.dataProtection, deps.db, normalizeEmail(query.email));
  const rows = await repo.searchAccounts(deps.db, { emailIndex: index, role: query.role, status: query.status, after: query.after, limit });
  const page = rows.slice(0, limit);
  await context.audit('admin.accounts_listed', { detail: options.unmasked ? 'unmasked' : 'masked' });
  const accounts = await Promise.all(page.map((r) => toAccountDto(deps, r, options)));
  return { accounts, nextAfter: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

async function accountOrNotFound(deps: AdminDeps, accountId: string): Promise<AccountsTable> {
  const row = await repo.findAccount(deps.db, accountId);
  if (!row) throw appError('ADMIN_ACCOUNT_NOT_FOUND', { detail: 'no such account' });
  return row;
}

async function refuseSelf(principal: Principal, accountId: string, action: AuditAction, context: RequestContext) {
  if (principal.accountId !== accountId) return;
  await context.audit(action, { subject: accountId, outcome: 'failure', detail: 'self_action' });
  throw appError('ADMIN_SELF_ACTION_FORBIDDEN', { detail: `${action} on own account` });
}

export async function viewAccount(deps: AdminDeps, accountId: string, context: RequestContext): Promise<AdminAccountDetail> {
  const row = await accountOrNotFound(deps, accountId);
  const sessions = await listSessions(deps.sessions, accountId);
  const elevations = await listOpenElevationsOf(deps.elevation, accountId);
  await context.audit('admin.account_viewed', { subject: accountId });
  return {
    account: await toAccountDto(deps, row, { unmasked: false }),
    sessions: sessions.map((s) => ({
      id: s.id,
      device: { label: s.device_label, platform: s.device_platform },
      aal: s.aal,
      createdAt: new Date(s.created_at).toISOString(),
      lastUsedAt: new Date(s.last_used_at).toISOString(),
    })),
    elevations,
  };
}

/** Locks (every session ends; sign-in and tokens are refused while locked) or unlocks an account. */
export async function setAccountStatus(
  deps: AdminDeps,
  principal: Principal,
  input: { accountId: string; status: AccountsTable['status'] },
  context: RequestContext,
): Promise<AdminActionResult> {
  const action = input.status === 'locked' ? 'account.locked' : 'account.unlocked';
  await refuseSelf(principal, input.accountId, action, context);
  await accountOrNotFound(deps, input.accountId);
  await withTransaction(deps.db, async (tx) => {
    await repo.setStatus(tx, input.accountId, input.status, deps.clock.now());
    await context.audit(action, { subject: input.accountId }, tx);
  });
  const revokedSessions =
    input.status === 'locked' ? await revokeSessions(deps.sessions, { accountId: input.accountId, reason: 'account_locked' }, context) : 0;
  return { status: input.status, revokedSessions };
}

/** Ends every session of the account (force sign-out). */
export async function signOutEverywhere(deps: AdminDeps, accountId: string, context: RequestContext): Promise<AdminActionResult> {
  const row = await accountOrNotFound(deps, accountId);
  const revokedSessions = await revokeSessions(deps.sessions, { accountId, reason: 'admin_sign_out' }, context);
  await context.audit('account.signed_out', { subject: accountId });
  return { status: row.status, revokedSessions };
}

/**
 * Removes the account's authenticator apps, recovery codes and passkeys and ends its sessions,
 * so the person enrols again at the next sign-in (staff land in a session that can only enrol a
 * passkey). The person is told by email, whoever did it.
 */
export async function resetSecondFactors(
  deps: AdminDeps,
  principal: Principal,
  accountId: string,
  context: RequestContext,
): Promise<MfaResetResult> {
  await refuseSelf(principal, accountId, 'mfa.reset', context);
  const row = await accountOrNotFound(deps, accountId);
  const removed = await withTransaction(deps.db, async (tx) => {
    const counts = await repo.removeSecondFactors(tx, accountId);
    await context.audit('mfa.reset', { subject: accountId }, tx);
    return counts;
  });
  const revokedSessions = await revokeSessions(deps.sessions, { accountId, reason: 'mfa_reset' }, context);
  const to = await openAccountEmail(deps.dataProtection, deps.db, row);
  deps.mailer.send({ to, ...mfaResetMessage({ resetAt: new Date(deps.clock.now()) }) }).catch(deps.onBackgroundError);
  return { removed, revokedSessions };
}

/**
 * Sets the account's roles. Removals and additions apply at once — except the admin role,
 * which (by default) waits for a second admin's approval and is returned in `pending`.
 */
export async function changeRoles(
  deps: AdminDeps,
  principal: Principal,
  input: { accountId: string; roles: readonly string[] },
  context: RequestContext,
): Promise<RolesChangeResult> {
  await refuseSelf(principal, input.accountId, 'role.granted', context);
  const unknown = input.roles.filter((role) => !Object.hasOwn(deps.access.roles, role));
  if (unknown.length > 0) throw appError('ADMIN_ROLE_UNKNOWN', { detail: `${unknown.length} unknown role(s)` });
  const row = await accountOrNotFound(deps, input.accountId);
  const current = JSON.parse(row.roles) as string[];
  const added = input.roles.filter((role) => !current.includes(role));
  const removed = current.filter((role) => !input.roles.includes(role));
  const deferred = added.filter((role) => grantNeedsApproval(deps.elevation, role));
  const next = input.roles.filter((role) => !deferred.includes(role));
  await withTransaction(deps.db, async (tx) => {
    await repo.setRoles(tx, input.accountId, next, deps.clock.now());
    for (const role of added.filter((r) => !deferred.includes(r)))
      await context.audit('role.granted', { subject: input.accountId, detail: role }, tx);
    for (const role of removed) await context.audit('role.removed', { subject: input.accountId, detail: role }, tx);
  });
  const pending = [];
  for (const role of deferred)
    pending.push(await requestRoleGrant(deps.elevation, principal, { accountId: input.accountId, role }, context));
  return { roles: next, pending };
}
