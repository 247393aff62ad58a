/**
 * @module modules/records/service
 *
 * The patient file: a patient reads their own entries and shares the file with clinicians
 * through revocable grants; a clinician reads (and, with a `write` grant, adds to) the files of
 * patients who granted them access. Every query goes through `scopeRecordsTo` (scope.ts), so
 * what a caller may see is decided inside the SQL. An entry is a declared record type with its
 * fields; every field that is not `public` is sealed for the patient (stored-fields.ts), and
 * every entry leaves through `viewOf` with the reader's relation to the patient (view.ts).
 * Every read and change is audited with identifiers only.
 */
import { randomUUID } from 'node:crypto';
import type { NewRecordEntry, NewRecordGrant, RecordEntry, RecordGrant } from '@portcullis/protocol';
import type { RecordEntriesTable, RecordGrantsTable } from '../../platform/db/schema.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { DataDb } from '../../platform/data-protection/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FieldService, RecordsService } from './deps.ts';
import { findAccountByEmail, normalizeEmail } from '../accounts/index.ts';
import { relationOf } from './relation.ts';
import { RECORD_PERMISSIONS, scopeRecordsTo } from './scope.ts';
import { parseStoredFields, sealFields } from './stored-fields.ts';
import { viewOf } from './view.ts';
import type { Relation } from './visibility.ts';

/** An entry row as `relation` may see it. */
export async function entryAs(service: FieldService, db: DataDb, row: RecordEntriesTable, relation: Relation): Promise<RecordEntry> {
  const fields = await viewOf(service.catalogue.entryType(row.type), parseStoredFields(row.fields), relation, {
    dataProtection: service.dataProtection,
    db,
    subjectId: row.patient_account_id,
    table: 'record_entries',
    rowId: row.id,
  });
  return {
    id: row.id,
    patientAccountId: row.patient_account_id,
    authorAccountId: row.author_account_id,
    type: row.type,
    fields,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toGrant(row: RecordGrantsTable): RecordGrant {
  return {
    id: row.id,
    patientAccountId: row.patient_account_id,
    granteeAccountId: row.grantee_account_id,
    scope: row.scope,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Entries of `patientId`'s file the principal may read, newest first. */
export async function visibleEntries(service: RecordsService, principal: Principal, patientId: string): Promise<RecordEntriesTable[]> {
  return scopeRecordsTo(principal)
    .entries(service.db)
    .where('record_entries.patient_account_id', '=', patientId)
    .selectAll('record_entries')
    .orderBy('record_entries.created_at', 'desc')
    .orderBy('record_entries.id')
    .execute();
}

/** The rows as the principal may see them (their relation to the patient decides the fields). */
async function viewEntries(
  service: RecordsService,
  principal: Principal,
  patientId: string,
  rows: RecordEntriesTable[],
): Promise<RecordEntry[]> {
  if (rows.length === 0) return [];
  const relation = await relationOf(service.db, principal, patientId);
  return Promise.all(rows.map((row) => entryAs(service, service.db, row, relation)));
}

/** A patient's own file (`records:read_own`). */
export async function listOwnEntries(service: RecordsService, principal: Principal, context: RequestContext): Promise<RecordEntry[]> {
  const rows = await visibleEntries(service, principal, principal.accountId);
  await context.audit('record.read', { subject: principal.accountId, detail: 'own_file_listed' });
  return viewEntries(service, principal, principal.accountId, rows);
}

async function readEntry(
  service: RecordsService,
  principal: Principal,
  patientId: string,
  entryId: string,
  context: RequestContext,
): Promise<RecordEntry> {
  const row = await scopeRecordsTo(principal)
    .entries(service.db)
    .where('record_entries.patient_account_id', '=', patientId)
    .where('record_entries.id', '=', entryId)
    .selectAll('record_entries')
    .executeTakeFirst();
  if (!row) throw appError('RECORD_NOT_FOUND', { detail: 'entry not visible to the caller' });
  await context.audit('record.read', { subject: patientId, detail: 'entry_read' });
  const [entry] = await viewEntries(service, principal, patientId, [row]);
  return entry as RecordEntry;
}

export function readOwnEntry(
  service: RecordsService,
  principal: Principal,
  entryId: string,
  context: RequestContext,
): Promise<RecordEntry> {
  return readEntry(service, principal, principal.accountId, entryId, context);
}

/** Patients whose files the principal may read (`records:read_granted`). */
export async function listGrantsReceived(service: RecordsService, principal: Principal): Promise<RecordGrant[]> {
  const rows = await scopeRecordsTo(principal)
    .grantsReceived(service.db)
    .selectAll('record_grants')
    .orderBy('record_grants.created_at', 'desc')
    .orderBy('record_grants.id')
    .execute();
  return rows.map(toGrant);
}

async function requireGrantedFile(service: RecordsService, principal: Principal, patientId: string): Promise<void> {
  const grant = await scopeRecordsTo(principal)
    .grantsReceived(service.db)
    .where('record_grants.patient_account_id', '=', patientId)
    .select('record_grants.id')
    .executeTakeFirst();
  if (!grant) throw appError('RECORD_NOT_FOUND', { detail: 'no active grant for this file' });
}

/** A granting patient's file (`records:read_granted`). */
export async function listPatientEntries(
  service: RecordsService,
  principal: Principal,
  patientId: string,
  context: RequestContext,
): Promise<RecordEntry[]> {
  await requireGrantedFile(service, principal, patientId);
  const rows = await visibleEntries(service, principal, patientId);
  await context.audit('record.read', { subject: patientId, detail: 'granted_file_listed' });
  return viewEntries(service, principal, patientId, rows);
}

export async function readPatientEntry(
  service: RecordsService,
  principal: Principal,
  patientId: string,
  entryId: string,
  context: RequestContext,
): Promise<RecordEntry> {
  await requireGrantedFile(service, principal, patientId);
  return readEntry(service, principal, patientId, entryId, context);
}

/**
 * Adds an entry to a granting patient's file (`records:write_granted` and a `write` grant). The
 * values are sealed inside the same transaction as the insert, which adds nothing without the
 * grant — and then nothing of the attempt, not even a data key for the patient, is kept.
 */
export async function addPatientEntry(
  service: RecordsService,
  principal: Principal,
  patientId: string,
  input: NewRecordEntry,
  context: RequestContext,
): Promise<RecordEntry> {
  const declaration = service.catalogue.entryType(input.type);
  const id = randomUUID();
  return withTransaction(service.db, async (tx) => {
    const fields = await sealFields(input.fields, (field) => declaration.fields[field]?.classification ?? 'phi', {
      dataProtection: service.dataProtection,
      db: tx,
      subjectId: patientId,
      table: 'record_entries',
      rowId: id,
    });
    const row = { id, patient_account_id: patientId, type: input.type, fields: JSON.stringify(fields), created_at: service.clock.now() };
    const added = await scopeRecordsTo(principal).addEntry(tx, row);
    if (!added) throw appError('RECORD_NOT_FOUND', { detail: 'no active write grant for this file' });
    await context.audit('record.written', { subject: patientId, detail: 'entry_added' }, tx);
    const relation = await relationOf(tx, principal, patientId);
    return entryAs(service, tx, { ...row, author_account_id: principal.accountId }, relation);
  });
}

/** Grants the patient gave and that are in force (`grants:manage_own`). */
export async function listGrantsGiven(service: RecordsService, principal: Principal): Promise<RecordGrant[]> {
  const rows = await scopeRecordsTo(principal)
    .grantsGiven(service.db)
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
/**
 * The grantee's account id: given, or found by the email address a patient knows their clinician
 * by (`undefined` when no account has it; the caller answers as for any grantee that cannot hold
 * the grant, so the answer does not tell whether the address has an account).
 */
async function granteeIdOf(service: RecordsService, input: NewRecordGrant): Promise<string | undefined> {
  if ('granteeAccountId' in input) return input.granteeAccountId;
  return (await findAccountByEmail(service.dataProtection, service.db, normalizeEmail(input.granteeEmail)))?.id;
}

export async function createGrant(
  service: RecordsService,
  principal: Principal,
  input: NewRecordGrant,
  context: RequestContext,
): Promise<RecordGrant> {
  const granteeAccountId = await granteeIdOf(service, input);
  if (granteeAccountId === principal.accountId) throw appError('RECORD_GRANTEE_INVALID', { detail: 'self grant' });
  const grantee = granteeAccountId
    ? await service.db.selectFrom('accounts').select(['roles', 'status']).where('id', '=', granteeAccountId).executeTakeFirst()
    : undefined;
  const granteePermissions = grantee ? service.access.permissionsOf(JSON.parse(grantee.roles) as string[]) : new Set<string>();
  if (!granteeAccountId || grantee?.status !== 'active' || !permissionsNeeded(input.scope).every((p) => granteePermissions.has(p))) {
    throw appError('RECORD_GRANTEE_INVALID', { detail: grantee ? 'grantee roles lack the permission' : 'unknown grantee' });
  }
  const row = { id: randomUUID(), grantee_account_id: granteeAccountId, scope: input.scope, created_at: service.clock.now() };
  return withTransaction(service.db, async (tx) => {
    const scope = scopeRecordsTo(principal);
    const replaced = await scope.revokeGrants(tx, { granteeAccountId }, row.created_at);
    await scope.addGrant(tx, row);
    // The events go last (the log stays locked until the transaction ends), in the order things happened.
    if (replaced > 0) await context.audit('record.grant_revoked', { subject: granteeAccountId, detail: 'replaced' }, tx);
    await context.audit('record.grant_created', { subject: granteeAccountId, detail: input.scope }, tx);
    return toGrant({ ...row, patient_account_id: principal.accountId, revoked_at: null });
  });
}

/** Revokes a grant the caller gave; from then on the grantee sees nothing of the file. */
export async function revokeGrant(service: RecordsService, principal: Principal, grantId: string, context: RequestContext): Promise<void> {
  await withTransaction(service.db, async (tx) => {
    const revoked = await scopeRecordsTo(principal).revokeGrants(tx, { grantId }, service.clock.now());
    if (revoked === 0) throw appError('RECORD_GRANT_NOT_FOUND', { detail: 'no active grant of the caller with this id' });
    await context.audit('record.grant_revoked', { subject: principal.accountId, detail: 'revoked' }, tx);
  });
}
