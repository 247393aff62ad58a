/**
 * @module modules/records/service
 *
 * The patient file: a patient reads their own entries and shares the file with clinicians
 * through revocable grants; a clinician reads (and, with a `write` grant, adds to) the files of
 * patients who granted them access. Every query goes through `scopeRecordsTo` (scope.ts), so
 * what a caller may see is decided inside the SQL. Bodies are sealed at rest (body-cipher.ts).
 * Every read and change is audited with identifiers only.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NewRecordEntry, NewRecordGrant, RecordEntry, RecordGrant } from '@portcullis/protocol';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database, RecordEntriesTable, RecordGrantsTable } from '../../platform/db/schema.ts';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RolePermissions } from '../../platform/routes/permissions.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { openEntryBody, sealEntryBody } from './body-cipher.ts';
import { RECORD_PERMISSIONS, scopeRecordsTo } from './scope.ts';

export interface RecordsDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  /** `access.roles`: who may be granted access to a file. */
  readonly access: RolePermissions;
}

function toEntry(deps: RecordsDeps, row: RecordEntriesTable): RecordEntry {
  return {
    id: row.id,
    patientAccountId: row.patient_account_id,
    authorAccountId: row.author_account_id,
    kind: row.kind,
    body: openEntryBody(deps.keyRing, row.body_ciphertext, { entryId: row.id, patientAccountId: row.patient_account_id }),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function toGrant(row: RecordGrantsTable): RecordGrant {
  return {
    id: row.id,
    patientAccountId: row.patient_account_id,
    granteeAccountId: row.grantee_account_id,
    scope: row.scope,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Entries of `patientId`'s file the principal may read, newest first; `undefined` when the file is not visible at all. */
async function visibleEntries(deps: RecordsDeps, principal: Principal, patientId: string): Promise<RecordEntriesTable[]> {
  return scopeRecordsTo(principal)
    .entries(deps.db)
    .where('record_entries.patient_account_id', '=', patientId)
    .selectAll('record_entries')
    .orderBy('record_entries.created_at', 'desc')
    .orderBy('record_entries.id')
    .execute();
}

/** A patient's own file (`records:read_own`). */
export async function listOwnEntries(deps: RecordsDeps, principal: Principal, context: RequestContext): Promise<RecordEntry[]> {
  const rows = await visibleEntries(deps, principal, principal.accountId);
  await context.audit('record.read', { subject: principal.accountId, detail: 'own_file_listed' });
  return rows.map((row) => toEntry(deps, row));
}

async function readEntry(
  deps: RecordsDeps,
  principal: Principal,
  patientId: string,
  entryId: string,
  context: RequestContext,
): Promise<RecordEntry> {
  const row = await scopeRecordsTo(principal)
    .entries(deps.db)
    .where('record_entries.patient_account_id', '=', patientId)
    .where('record_entries.id', '=', entryId)
    .selectAll('record_entries')
    .executeTakeFirst();
  if (!row) throw appError('RECORD_NOT_FOUND', { detail: 'entry not visible to the caller' });
  await context.audit('record.read', { subject: patientId, detail: 'entry_read' });
  return toEntry(deps, row);
}

export function readOwnEntry(deps: RecordsDeps, principal: Principal, entryId: string, context: RequestContext): Promise<RecordEntry> {
  return readEntry(deps, principal, principal.accountId, entryId, context);
}

/** Patients whose files the principal may read (`records:read_granted`). */
export async function listGrantsReceived(deps: RecordsDeps, principal: Principal): Promise<RecordGrant[]> {
  const rows = await scopeRecordsTo(principal)
    .grantsReceived(deps.db)
    .selectAll('record_grants')
    .orderBy('record_grants.created_at', 'desc')
    .orderBy('record_grants.id')
    .execute();
  return rows.map(toGrant);
}

async function requireGrantedFile(deps: RecordsDeps, principal: Principal, patientId: string): Promise<void> {
  const grant = await scopeRecordsTo(principal)
    .grantsReceived(deps.db)
    .where('record_grants.patient_account_id', '=', patientId)
    .select('record_grants.id')
    .executeTakeFirst();
  if (!grant) throw appError('RECORD_NOT_FOUND', { detail: 'no active grant for this file' });
}

/** A granting patient's file (`records:read_granted`). */
export async function listPatientEntries(
  deps: RecordsDeps,
  principal: Principal,
  patientId: string,
  context: RequestContext,
): Promise<RecordEntry[]> {
  await requireGrantedFile(deps, principal, patientId);
  const rows = await visibleEntries(deps, principal, patientId);
  await context.audit('record.read', { subject: patientId, detail: 'granted_file_listed' });
  return rows.map((row) => toEntry(deps, row));
}

export async function readPatientEntry(
  deps: RecordsDeps,
  principal: Principal,
  patientId: string,
  entryId: string,
  context: RequestContext,
): Promise<RecordEntry> {
  await requireGrantedFile(deps, principal, patientId);
  return readEntry(deps, principal, patientId, entryId, context);
}

/** Adds an entry to a granting patient's file (`records:write_granted` and a `write` grant). */
export async function addPatientEntry(
  deps: RecordsDeps,
  principal: Principal,
  patientId: string,
  input: NewRecordEntry,
  context: RequestContext,
): Promise<RecordEntry> {
  const id = randomUUID();
  const row = {
    id,
    patient_account_id: patientId,
    kind: input.kind,
    body_ciphertext: sealEntryBody(deps.keyRing, input.body, { entryId: id, patientAccountId: patientId }),
    created_at: deps.clock.now(),
  };
  return withTransaction(deps.db, async (tx) => {
    const added = await scopeRecordsTo(principal).addEntry(tx, row);
    if (!added) throw appError('RECORD_NOT_FOUND', { detail: 'no active write grant for this file' });
    await context.audit('record.written', { subject: patientId, detail: 'entry_added' }, tx);
    return toEntry(deps, { ...row, author_account_id: principal.accountId });
  });
}

/** Grants the patient gave and that are in force (`grants:manage_own`). */
export async function listGrantsGiven(deps: RecordsDeps, principal: Principal): Promise<RecordGrant[]> {
  const rows = await scopeRecordsTo(principal)
    .grantsGiven(deps.db)
    .selectAll('record_grants')
    .orderBy('record_grants.created_at', 'desc')
    .orderBy('record_grants.id')
    .execute();
  return rows.map(toGrant);
}

/** The permissions a grantee's roles must hold for a grant of `scope`. */
function permissionsNeeded(scope: NewRecordGrant['scope']): string[] {
  return scope === 'write' ? [RECORD_PERMISSIONS.readGranted, RECORD_PERMISSIONS.writeGranted] : [RECORD_PERMISSIONS.readGranted];
}

/**
 * Grants `input.granteeAccountId` access to the caller's own file. A grant already in force for
 * the same person is replaced (so changing its scope is one call). The grantee must be an active
 * account whose roles hold the permissions the scope needs (by default: a clinician).
 */
export async function createGrant(
  deps: RecordsDeps,
  principal: Principal,
  input: NewRecordGrant,
  context: RequestContext,
): Promise<RecordGrant> {
  if (input.granteeAccountId === principal.accountId) throw appError('RECORD_GRANTEE_INVALID', { detail: 'self grant' });
  const grantee = await deps.db
    .selectFrom('accounts')
    .select(['roles', 'status'])
    .where('id', '=', input.granteeAccountId)
    .executeTakeFirst();
  const granteePermissions = grantee ? deps.access.permissionsOf(JSON.parse(grantee.roles) as string[]) : new Set<string>();
  if (grantee?.status !== 'active' || !permissionsNeeded(input.scope).every((p) => granteePermissions.has(p))) {
    throw appError('RECORD_GRANTEE_INVALID', { detail: grantee ? 'grantee roles lack the permission' : 'unknown grantee' });
  }
  const row = { id: randomUUID(), grantee_account_id: input.granteeAccountId, scope: input.scope, created_at: deps.clock.now() };
  return withTransaction(deps.db, async (tx) => {
    const scope = scopeRecordsTo(principal);
    const replaced = await scope.revokeGrants(tx, { granteeAccountId: input.granteeAccountId }, row.created_at);
    await scope.addGrant(tx, row);
    // The events go last (the log stays locked until the transaction ends), in the order things happened.
    if (replaced > 0) await context.audit('record.grant_revoked', { subject: input.granteeAccountId, detail: 'replaced' }, tx);
    await context.audit('record.grant_created', { subject: input.granteeAccountId, detail: input.scope }, tx);
    return toGrant({ ...row, patient_account_id: principal.accountId, revoked_at: null });
  });
}

/** Revokes a grant the caller gave; from then on the grantee sees nothing of the file. */
export async function revokeGrant(deps: RecordsDeps, principal: Principal, grantId: string, context: RequestContext): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    const revoked = await scopeRecordsTo(principal).revokeGrants(tx, { grantId }, deps.clock.now());
    if (revoked === 0) throw appError('RECORD_GRANT_NOT_FOUND', { detail: 'no active grant of the caller with this id' });
    await context.audit('record.grant_revoked', { subject: principal.accountId, detail: 'revoked' }, tx);
  });
}
