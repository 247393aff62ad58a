/**
 * @module modules/elevation/service
 *
 * Time-boxed elevation (SPEC "Access control"; ASVS V8.2.1, V8.3.x): a staff member asks for a
 * role for at most `access.elevation.maxSeconds` (an hour), with a reason. It starts at once,
 * or — when `access.elevation.approval` is on, and always for the `admin` role unless
 * `access.elevation.adminApproval` is off — when a second person approves it: never the
 * requester, never the person concerned, and for `admin` only another admin. An elevation ends
 * by itself: the session lookup joins only rows whose `expires_at` is in the future, so there is
 * no job to forget. Permanent grants of the admin role by an admin (`requestRoleGrant`) wait for
 * a second admin the same way. Every step is audited with identifiers only; the reason stays in
 * the table.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Elevation } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { Database, RoleElevationsTable } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import * as repo from './repository.ts';

/** The role whose grant always needs two admins (unless `access.elevation.adminApproval` is off). */
export const ADMIN_ROLE = 'admin';

export interface ElevationDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly access: Config['access'];
}

export function statusOf(row: RoleElevationsTable, now: number): Elevation['status'] {
  if (row.approved_at === null) return row.revoked_at === null ? 'pending' : 'denied';
  if (row.kind === 'grant') return 'granted';
  if (row.revoked_at !== null) return 'ended';
  return (row.expires_at ?? 0) > now ? 'active' : 'expired';
}

export function toElevationDto(row: RoleElevationsTable, now: number): Elevation {
  return {
    id: row.id,
    accountId: row.account_id,
    role: row.role,
    kind: row.kind,
    reason: row.reason,
    status: statusOf(row, now),
    requestedBy: row.requested_by,
    requestedAt: new Date(row.requested_at).toISOString(),
    durationSeconds: row.duration_seconds,
    approvedBy: row.approved_by,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  };
}

function needsApproval(deps: ElevationDeps, role: string): boolean {
  return deps.access.elevation.approval.enabled || (role === ADMIN_ROLE && deps.access.elevation.adminApproval.enabled);
}

export interface ElevationInput {
  readonly role: string;
  readonly reason: string;
  readonly durationSeconds?: number | undefined;
}

/**
 * Stores a new elevation or grant request and audits it, in one transaction: the event names
 * the account the role is for; the caller (the requester) is filled in by the audit door.
 */
async function insertRequest(
  deps: ElevationDeps,
  row: RoleElevationsTable,
  context: RequestContext,
  event: { readonly action: 'elevation.requested' | 'role.grant_requested'; readonly detail: string },
): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    await repo.insertElevation(tx, row);
    await context.audit(event.action, { subject: row.account_id, detail: event.detail }, tx);
  });
}

/** A staff member asks for `role` on top of their own roles. */
export async function requestElevation(
  deps: ElevationDeps,
  principal: Principal,
  input: ElevationInput,
  context: RequestContext,
): Promise<Elevation> {
  const now = deps.clock.now();
  const maxSeconds = deps.access.elevation.maxSeconds;
  const duration = input.durationSeconds ?? maxSeconds;
  if (duration > maxSeconds) throw appError('REQUEST_INVALID', { detail: `durationSeconds above ${maxSeconds}` });
  const own = (await repo.findAccountRoles(deps.db, principal.accountId)) ?? [];
  if (!Object.hasOwn(deps.access.roles, input.role) || own.includes(input.role)) {
    throw appError('ELEVATION_ROLE_INVALID', { detail: 'unknown or already held role' });
  }
  const pending = needsApproval(deps, input.role);
  const row: RoleElevationsTable = {
    id: randomUUID(),
    account_id: principal.accountId,
    role: input.role,
    kind: 'elevation',
    reason: input.reason,
    requested_by: principal.accountId,
    requested_at: now,
    duration_seconds: duration,
    approved_by: null,
    approved_at: pending ? null : now,
    expires_at: pending ? null : now + duration * 1000,
    revoked_at: null,
    revoked_by: null,
  };
  await insertRequest(deps, row, context, {
    action: 'elevation.requested',
    detail: pending ? `pending_${input.role}` : `active_${input.role}`,
  });
  return toElevationDto(row, now);
}

/**
 * An admin asks for `role` to be added to `accountId` for good; it waits for a second admin.
 * Used by the admin API's role change for the admin role.
 */
export async function requestRoleGrant(
  deps: ElevationDeps,
  principal: Principal,
  input: { accountId: string; role: string },
  context: RequestContext,
): Promise<Elevation> {
  const now = deps.clock.now();
  const row: RoleElevationsTable = {
    id: randomUUID(),
    account_id: input.accountId,
    role: input.role,
    kind: 'grant',
    reason: 'role change',
    requested_by: principal.accountId,
    requested_at: now,
    duration_seconds: null,
    approved_by: null,
    approved_at: null,
    expires_at: null,
    revoked_at: null,
    revoked_by: null,
  };
  await insertRequest(deps, row, context, { action: 'role.grant_requested', detail: input.role });
  return toElevationDto(row, now);
}

export function grantNeedsApproval(deps: ElevationDeps, role: string): boolean {
  return role === ADMIN_ROLE && deps.access.elevation.adminApproval.enabled;
}

export async function listOwnElevations(deps: ElevationDeps, principal: Principal): Promise<Elevation[]> {
  const now = deps.clock.now();
  return (await repo.listOfAccount(deps.db, principal.accountId)).map((r) => toElevationDto(r, now));
}

export async function listPendingElevations(deps: ElevationDeps): Promise<Elevation[]> {
  const now = deps.clock.now();
  return (await repo.listPending(deps.db)).map((r) => toElevationDto(r, now));
}

export async function listActiveElevations(deps: ElevationDeps): Promise<Elevation[]> {
  const now = deps.clock.now();
  return (await repo.listInForce(deps.db, now)).map((r) => toElevationDto(r, now));
}

export async function listOpenElevationsOf(deps: ElevationDeps, accountId: string): Promise<Elevation[]> {
  const now = deps.clock.now();
  return (await repo.listOpenOfAccount(deps.db, accountId, now)).map((r) => toElevationDto(r, now));
}

/** A second person approves a pending elevation or role grant. */
export async function approveElevation(deps: ElevationDeps, principal: Principal, id: string, context: RequestContext): Promise<Elevation> {
  const row = await repo.findElevation(deps.db, id);
  if (!row) throw appError('ELEVATION_NOT_FOUND', { detail: 'no such elevation' });
  // Separation of duties: nobody approves their own request or a role for themself.
  if (principal.accountId === row.requested_by || principal.accountId === row.account_id) {
    await context.audit('elevation.approved', { outcome: 'failure', subject: row.account_id, detail: 'self_approval' });
    throw appError('ELEVATION_APPROVER_INVALID', { detail: 'approver is the requester or the subject' });
  }
  // Only an admin by their own roles (not by an elevation) can make another admin.
  const approverRoles = (await repo.findAccountRoles(deps.db, principal.accountId)) ?? [];
  if (row.role === ADMIN_ROLE && !approverRoles.includes(ADMIN_ROLE)) {
    await context.audit('elevation.approved', { outcome: 'failure', subject: row.account_id, detail: 'approver_not_admin' });
    throw appError('ELEVATION_APPROVER_INVALID', { detail: 'admin role needs an admin approver' });
  }
  const now = deps.clock.now();
  const expiresAt = row.kind === 'elevation' ? now + (row.duration_seconds ?? 0) * 1000 : null;
  const approved = await withTransaction(deps.db, async (tx) => {
    if (!(await repo.approvePending(tx, id, { approvedBy: principal.accountId, now, expiresAt }))) return false;
    if (row.kind === 'grant') {
      const roles = (await repo.findAccountRoles(tx, row.account_id)) ?? [];
      if (!roles.includes(row.role)) await repo.setAccountRoles(tx, row.account_id, [...roles, row.role], now);
    }
    await context.audit(row.kind === 'grant' ? 'role.granted' : 'elevation.approved', { subject: row.account_id, detail: row.role }, tx);
    return true;
  });
  if (!approved) throw appError('ELEVATION_NOT_PENDING', { detail: 'already decided' });
  return toElevationDto({ ...row, approved_by: principal.accountId, approved_at: now, expires_at: expiresAt }, now);
}

/**
 * Ends an elevation early or denies a pending request. `scope: 'own'` finds only the caller's
 * own rows (in the query); `scope: 'any'` is for approvers.
 */
export async function endElevation(
  deps: ElevationDeps,
  principal: Principal,
  input: { id: string; scope: 'own' | 'any' },
  context: RequestContext,
): Promise<Elevation> {
  const row = await repo.findElevation(deps.db, input.id, input.scope === 'own' ? { accountId: principal.accountId } : {});
  if (!row) throw appError('ELEVATION_NOT_FOUND', { detail: 'no such elevation' });
  const now = deps.clock.now();
  const ended = await withTransaction(deps.db, async (tx) => {
    if (!(await repo.revokeOpen(tx, row.id, { revokedBy: principal.accountId, now }))) return false;
    await context.audit(
      row.approved_at === null ? 'elevation.denied' : 'elevation.ended',
      { subject: row.account_id, detail: row.role },
      tx,
    );
    return true;
  });
  if (!ended) throw appError('ELEVATION_NOT_PENDING', { detail: 'not open' });
  return toElevationDto({ ...row, revoked_at: now, revoked_by: principal.accountId }, now);
}
