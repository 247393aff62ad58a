/**
 * @module modules/elevation/repository
 *
 * SQL for `role_elevations`. The requester's own queries are scoped by `account_id` in the
 * query; the approver's queries see every row (their permission is checked by the route).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, RoleElevationsTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertElevation(db: Db, row: RoleElevationsTable): Promise<void> {
  await db.insertInto('role_elevations').values(row).execute();
}

export async function findElevation(db: Db, id: string, options: { accountId?: string } = {}): Promise<RoleElevationsTable | undefined> {
  let query = db.selectFrom('role_elevations').selectAll().where('id', '=', id);
  if (options.accountId !== undefined) query = query.where('account_id', '=', options.accountId);
  return query.executeTakeFirst();
}

export async function listOfAccount(db: Db, accountId: string, limit = 100): Promise<RoleElevationsTable[]> {
  return db
    .selectFrom('role_elevations')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('requested_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Requests nobody decided yet, oldest first. */
export async function listPending(db: Db, limit = 100): Promise<RoleElevationsTable[]> {
  return db
    .selectFrom('role_elevations')
    .selectAll()
    .where('approved_at', 'is', null)
    .where('revoked_at', 'is', null)
    .orderBy('requested_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Elevations in force across the deployment, the soonest to run out first (the approvers' list). */
export async function listInForce(db: Db, now: number, limit = 100): Promise<RoleElevationsTable[]> {
  return db
    .selectFrom('role_elevations')
    .selectAll()
    .where('kind', '=', 'elevation')
    .where('approved_at', 'is not', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('expires_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Pending and in-force rows of one account (the admin account view). */
export async function listOpenOfAccount(db: Db, accountId: string, now: number): Promise<RoleElevationsTable[]> {
  return db
    .selectFrom('role_elevations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('approved_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('requested_at')
    .execute();
}

/** Marks a pending row approved; false when someone else decided first (exactly one winner). */
export async function approvePending(
  db: Db,
  id: string,
  decision: { approvedBy: string; now: number; expiresAt: number | null },
): Promise<boolean> {
  const result = await db
    .updateTable('role_elevations')
    .set({ approved_by: decision.approvedBy, approved_at: decision.now, expires_at: decision.expiresAt })
    .where('id', '=', id)
    .where('approved_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Ends a pending or in-force row; false when it was not open. */
export async function revokeOpen(db: Db, id: string, revocation: { revokedBy: string; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('role_elevations')
    .set({ revoked_at: revocation.now, revoked_by: revocation.revokedBy })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('approved_at', 'is', null), eb.and([eb('kind', '=', 'elevation'), eb('expires_at', '>', revocation.now)])]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findAccountRoles(db: Db, accountId: string): Promise<string[] | undefined> {
  const row = await db.selectFrom('accounts').select('roles').where('id', '=', accountId).executeTakeFirst();
  return row ? (JSON.parse(row.roles) as string[]) : undefined;
}

export async function setAccountRoles(db: Db, accountId: string, roles: readonly string[], now: number): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ roles: JSON.stringify(roles), updated_at: now })
    .where('id', '=', accountId)
    .execute();
}
