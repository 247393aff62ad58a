/**
 * @module modules/records/scope
 *
 * The one door to the patient-file tables. `scopeRecordsTo(principal)` hands out the only
 * queries that touch `record_entries` and `record_grants`, each already restricted — inside the
 * SQL — to what the principal may see or change: their own file (with `records:read_own`), the
 * files of patients holding an active grant for them (with `records:read_granted`; adding entries
 * needs a `write` grant and `records:write_granted`), and the grants they gave (with
 * `grants:manage_own`). A list is therefore never fetched and filtered afterwards, and a missing
 * grant looks exactly like a missing row. No other file names these tables (records.security.test.ts
 * checks it). Two queries serve the person themself without a principal — everything about them
 * for their export, and deleting it when they are erased (`rowsAbout`, `deleteRowsAbout`).
 *
 * The route contract already refused callers without the route's permission; the permissions
 * are checked here again so that a route declared with the wrong permission still cannot see
 * more than its caller may. Asking for a change the principal may not make is a programming
 * error (`TypeError`): the route contract should have stopped the request.
 */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool, type Expression } from 'kysely';
import type { Database, RecordEntriesTable, RecordGrantsTable } from '../../platform/db/schema.ts';
import type { Principal } from '../../platform/routes/principal.ts';

export const RECORD_PERMISSIONS = {
  readOwn: 'records:read_own',
  readGranted: 'records:read_granted',
  writeGranted: 'records:write_granted',
  manageGrants: 'grants:manage_own',
} as const;

type Db = Kysely<Database>;
type EntryQuery = SelectQueryBuilder<Database, 'record_entries', object>;
type GrantQuery = SelectQueryBuilder<Database, 'record_grants', object>;

export interface RecordScope {
  /** Entries the principal may read. */
  entries(db: Db): EntryQuery;
  /**
   * Adds an entry to `row.patient_account_id`'s file in one INSERT … SELECT that inserts nothing
   * unless the principal holds an active `write` grant for that file. Returns whether it was added.
   */
  addEntry(db: Db, row: Omit<RecordEntriesTable, 'author_account_id'>): Promise<boolean>;
  /** Active grants the principal gave for their own file. */
  grantsGiven(db: Db): GrantQuery;
  /** Active grants other patients gave the principal. */
  grantsReceived(db: Db): GrantQuery;
  /** Records a grant for the principal's own file. */
  addGrant(db: Db, row: Omit<RecordGrantsTable, 'patient_account_id' | 'revoked_at'>): Promise<void>;
  /** Revokes active grants the principal gave, by grant id or by grantee; returns how many. */
  revokeGrants(db: Db, which: { grantId: string } | { granteeAccountId: string }, now: number): Promise<number>;
}

const NOTHING = sql<SqlBool>`1 = 0`;

function activeGrantFor(
  eb: ExpressionBuilder<Database, 'record_entries'>,
  granteeId: string,
  patientColumn: Expression<string>,
  scopes: readonly ('read' | 'write')[],
) {
  return eb.exists(
    eb
      .selectFrom('record_grants')
      .select(sql.lit(1).as('one'))
      .where('record_grants.patient_account_id', '=', patientColumn)
      .where('record_grants.grantee_account_id', '=', granteeId)
      .where('record_grants.revoked_at', 'is', null)
      .where('record_grants.scope', 'in', scopes),
  );
}

/**
 * @example
 * const scope = scopeRecordsTo(principal);
 * const rows = await scope.entries(db).where('patient_account_id', '=', patientId).selectAll().execute();
 */
export function scopeRecordsTo(principal: Principal): RecordScope {
  const me = principal.accountId;
  const may = (permission: string): boolean => principal.permissions.has(permission);
  const requirePermission = (permission: string): void => {
    if (!may(permission)) throw new TypeError(`records scope: the principal lacks ${permission}; the route contract must refuse the call`);
  };
  return {
    entries: (db) =>
      db.selectFrom('record_entries').where((eb) => {
        const visible: Expression<SqlBool>[] = [];
        if (may(RECORD_PERMISSIONS.readOwn)) visible.push(eb('record_entries.patient_account_id', '=', me));
        if (may(RECORD_PERMISSIONS.readGranted)) {
          visible.push(activeGrantFor(eb, me, eb.ref('record_entries.patient_account_id'), ['read', 'write']));
        }
        return visible.length === 0 ? NOTHING : eb.or(visible);
      }),

    addEntry: async (db, row) => {
      requirePermission(RECORD_PERMISSIONS.writeGranted);
      const result = await db
        .insertInto('record_entries')
        .columns(['id', 'patient_account_id', 'author_account_id', 'type', 'fields', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('record_grants')
            .select([
              sql<string>`${row.id}`.as('id'),
              'record_grants.patient_account_id',
              'record_grants.grantee_account_id',
              sql<string>`${row.type}`.as('type'),
              sql<string>`${row.fields}`.as('fields'),
              sql<number>`${row.created_at}`.as('created_at'),
            ])
            .where('record_grants.patient_account_id', '=', row.patient_account_id)
            .where('record_grants.grantee_account_id', '=', me)
            .where('record_grants.revoked_at', 'is', null)
            .where('record_grants.scope', '=', 'write')
            .limit(1),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    grantsGiven: (db) =>
      db
        .selectFrom('record_grants')
        .where(may(RECORD_PERMISSIONS.manageGrants) ? sql<SqlBool>`1 = 1` : NOTHING)
        .where('record_grants.patient_account_id', '=', me)
        .where('record_grants.revoked_at', 'is', null),

    grantsReceived: (db) =>
      db
        .selectFrom('record_grants')
        .where(may(RECORD_PERMISSIONS.readGranted) ? sql<SqlBool>`1 = 1` : NOTHING)
        .where('record_grants.grantee_account_id', '=', me)
        .where('record_grants.revoked_at', 'is', null),

    addGrant: async (db, row) => {
      requirePermission(RECORD_PERMISSIONS.manageGrants);
      await db
        .insertInto('record_grants')
        .values({ ...row, patient_account_id: me, revoked_at: null })
        .execute();
    },

    revokeGrants: async (db, which, now) => {
      requirePermission(RECORD_PERMISSIONS.manageGrants);
      let query = db
        .updateTable('record_grants')
        .set({ revoked_at: now })
        .where('patient_account_id', '=', me)
        .where('revoked_at', 'is', null);
      query = 'grantId' in which ? query.where('id', '=', which.grantId) : query.where('grantee_account_id', '=', which.granteeAccountId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

/** Everything the patient-file tables hold about `accountId`: their file and the grants they gave or received (revoked ones too). */
export async function rowsAbout(
  db: Db,
  accountId: string,
): Promise<{ entries: RecordEntriesTable[]; grantsGiven: RecordGrantsTable[]; grantsReceived: RecordGrantsTable[] }> {
  const grants = (column: 'patient_account_id' | 'grantee_account_id') =>
    db.selectFrom('record_grants').selectAll().where(column, '=', accountId).orderBy('created_at').orderBy('id').execute();
  return {
    entries: await db
      .selectFrom('record_entries')
      .selectAll()
      .where('patient_account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    grantsGiven: await grants('patient_account_id'),
    grantsReceived: await grants('grantee_account_id'),
  };
}

/**
 * Deletes `accountId`'s file and every grant they gave or received (erasure). Entries they
 * wrote in other people's files stay: those belong to the other people's files.
 */
export async function deleteRowsAbout(db: Db, accountId: string): Promise<{ entries: number; grants: number }> {
  const entries = await db.deleteFrom('record_entries').where('patient_account_id', '=', accountId).executeTakeFirst();
  const grants = await db
    .deleteFrom('record_grants')
    .where((eb) => eb.or([eb('patient_account_id', '=', accountId), eb('grantee_account_id', '=', accountId)]))
    .executeTakeFirst();
  return { entries: Number(entries.numDeletedRows), grants: Number(grants.numDeletedRows) };
}

/**
 * Whether `patientId` has a grant in force (any scope) for `granteeId`: the relation other
 * modules' policies build on (modules/messaging lets a patient and a clinician talk only then).
 */
export async function grantInForce(db: Db, patientId: string, granteeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('record_grants')
    .select('id')
    .where('patient_account_id', '=', patientId)
    .where('grantee_account_id', '=', granteeId)
    .where('revoked_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
