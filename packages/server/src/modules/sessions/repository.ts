/**
 * @module modules/sessions/repository
 *
 * SQL for sessions and their tokens. Every query that touches another person's data is scoped
 * by `account_id` in the query itself — never fetched first and filtered afterwards.
 */
import type { Kysely, Transaction } from 'kysely';
import { preparedInsert, preparedQuery, type Database, type SessionsTable, type SessionTokensTable } from '../../platform/db/index.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface TokenWithSession {
  readonly token: SessionTokensTable;
  readonly session: SessionsTable;
  readonly account: { readonly roles: string; readonly status: string };
  /** Roles of elevations in force at the lookup's `now` (modules/elevation), usually none. */
  readonly elevatedRoles: readonly string[];
}

const insertSessionRows = preparedInsert('sessions', [
  'id',
  'account_id',
  'jkt',
  'aal',
  'amr',
  'auth_time',
  'device_label',
  'device_platform',
  'app_version',
  'ip_prefix',
  'created_at',
  'last_used_at',
  'idle_expires_at',
  'absolute_expires_at',
  'revoked_at',
  'revoked_reason',
  'restricted_to',
]);

export async function insertSession(db: Db, session: SessionsTable): Promise<void> {
  await insertSessionRows(db, [session]);
}

export const insertTokens: (db: Db, tokens: readonly SessionTokensTable[]) => Promise<void> = preparedInsert('session_tokens', [
  'id',
  'session_id',
  'kind',
  'secret_hash',
  'created_at',
  'expires_at',
  'used_at',
]);

function tokenWithSessionQuery(db: Db, { tokenId, now }: { readonly tokenId: string; readonly now: number }) {
  return (
    db
      .selectFrom('session_tokens as t')
      .innerJoin('sessions as s', 's.id', 't.session_id')
      .innerJoin('accounts as a', 'a.id', 's.account_id')
      // Elevations in force join here (one row each; almost always none), so the roles of a
      // request cost no second query and an expired elevation stops counting on its own.
      .leftJoin('role_elevations as e', (join) =>
        join
          .onRef('e.account_id', '=', 's.account_id')
          .on('e.kind', '=', 'elevation')
          .on('e.approved_at', 'is not', null)
          .on('e.revoked_at', 'is', null)
          .on('e.expires_at', '>', now),
      )
      .select([
        't.id as t_id',
        't.session_id as t_session_id',
        't.kind as t_kind',
        't.secret_hash as t_secret_hash',
        't.created_at as t_created_at',
        't.expires_at as t_expires_at',
        't.used_at as t_used_at',
        's.id as s_id',
        's.account_id as s_account_id',
        's.jkt as s_jkt',
        's.aal as s_aal',
        's.amr as s_amr',
        's.auth_time as s_auth_time',
        's.device_label as s_device_label',
        's.device_platform as s_device_platform',
        's.app_version as s_app_version',
        's.ip_prefix as s_ip_prefix',
        's.created_at as s_created_at',
        's.last_used_at as s_last_used_at',
        's.idle_expires_at as s_idle_expires_at',
        's.absolute_expires_at as s_absolute_expires_at',
        's.revoked_at as s_revoked_at',
        's.revoked_reason as s_revoked_reason',
        's.restricted_to as s_restricted_to',
        'a.roles as a_roles',
        'a.status as a_status',
        'e.role as e_role',
      ])
      .where('t.id', '=', tokenId)
  );
}

/** Compiled once per dialect: building it with Kysely costs more CPU than the database takes to run it. */
const tokenWithSession = preparedQuery(tokenWithSessionQuery);

/**
 * One round trip on the hot path: token, its session, the account's roles and status, and the
 * roles of elevations in force at `now`.
 */
export async function findTokenWithSession(db: Db, tokenId: string, now: number): Promise<TokenWithSession | undefined> {
  const rows = await tokenWithSession.rows(db, { tokenId, now });
  const row = rows[0];
  if (!row) return undefined;
  return {
    token: {
      id: row.t_id,
      session_id: row.t_session_id,
      kind: row.t_kind,
      secret_hash: row.t_secret_hash,
      created_at: row.t_created_at,
      expires_at: row.t_expires_at,
      used_at: row.t_used_at,
    },
    session: {
      id: row.s_id,
      account_id: row.s_account_id,
      jkt: row.s_jkt,
      aal: row.s_aal,
      amr: row.s_amr,
      auth_time: row.s_auth_time,
      device_label: row.s_device_label,
      device_platform: row.s_device_platform,
      app_version: row.s_app_version,
      ip_prefix: row.s_ip_prefix,
      created_at: row.s_created_at,
      last_used_at: row.s_last_used_at,
      idle_expires_at: row.s_idle_expires_at,
      absolute_expires_at: row.s_absolute_expires_at,
      revoked_at: row.s_revoked_at,
      revoked_reason: row.s_revoked_reason,
      restricted_to: row.s_restricted_to,
    },
    account: { roles: row.a_roles, status: row.a_status },
    elevatedRoles: rows.flatMap((r) => (r.e_role === null ? [] : [r.e_role])),
  };
}

/** Marks a refresh token used; returns false if another request already did (exactly one winner). */
export async function claimRefreshToken(db: Db, tokenId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('session_tokens')
    .set({ used_at: now })
    .where('id', '=', tokenId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findSession(db: Db, sessionId: string): Promise<SessionsTable | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
}

export async function findToken(db: Db, tokenId: string): Promise<SessionTokensTable | undefined> {
  return db.selectFrom('session_tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
}

export async function extendSession(db: Db, sessionId: string, now: number, idleExpiresAt: number): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: now, idle_expires_at: idleExpiresAt }).where('id', '=', sessionId).execute();
}

export async function touchSession(db: Db, sessionId: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', sessionId).execute();
}

/** Revokes live sessions of one account, optionally only one of them, all but one, or those bound to one key; returns their ids. */
export async function revokeSessions(
  db: Db,
  options: { accountId: string; now: number; reason: string; only?: string; except?: string; boundTo?: string },
): Promise<string[]> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: options.now, revoked_reason: options.reason })
    .where('account_id', '=', options.accountId)
    .where('revoked_at', 'is', null);
  if (options.only !== undefined) query = query.where('id', '=', options.only);
  if (options.except !== undefined) query = query.where('id', '!=', options.except);
  if (options.boundTo !== undefined) query = query.where('jkt', '=', options.boundTo);
  const rows = await query.returning('id').execute();
  return rows.map((r) => r.id);
}

export async function listLiveSessions(db: Db, accountId: string, now: number): Promise<SessionsTable[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('idle_expires_at', '>', now)
    .where('absolute_expires_at', '>', now)
    .orderBy('last_used_at', 'desc')
    .execute();
}

/** Elevations of one account in force at `now`, for the session list (where they are visible). */
export async function listLiveElevations(
  db: Db,
  accountId: string,
  now: number,
): Promise<{ id: string; role: string; expires_at: number | null }[]> {
  return db
    .selectFrom('role_elevations')
    .select(['id', 'role', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('kind', '=', 'elevation')
    .where('approved_at', 'is not', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('expires_at')
    .execute();
}
