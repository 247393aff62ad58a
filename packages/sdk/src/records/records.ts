/**
 * @module records/records
 *
 * The records API (the clinic's patient file): a patient reads their own entries and decides who
 * may see them (grants); a clinician lists the patients who granted access, reads their entries
 * and, with a `write` grant, adds entries. An entry is a declared record type with its fields
 * (`{ type: 'file-entry', fields: { kind: 'note', note: '…' } }`); field values are personal
 * data: the SDK never logs them or puts them in an error message.
 */
import type { NewRecordEntry, NewRecordGrant, RecordEntry, RecordEntryList, RecordGrant, RecordGrantList } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput, assertUuid } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseRecordEntry, parseRecordEntryList, parseRecordGrant, parseRecordGrantList } from './record-shapes.ts';

// ── My own file (patient) ─────────────────────────────────────────────────────────────────────

/**
 * The entries of the signed-in patient's own file.
 *
 * @example
 *   const { entries } = await listMyRecordEntries(client);
 */
export async function listMyRecordEntries(client: CoreClient): Promise<RecordEntryList> {
  return engineOf(client).authorizedCall('GET', '/v1/records/me/entries', undefined, parseRecordEntryList);
}

/**
 * One entry of the signed-in patient's own file.
 *
 * @throws {ApiError} `RECORD_NOT_FOUND`.
 */
export async function getMyRecordEntry(client: CoreClient, entryId: string): Promise<RecordEntry> {
  assertUuid(entryId, 'getMyRecordEntry expects an entry id');
  return engineOf(client).authorizedCall('GET', `/v1/records/me/entries/${entryId}`, undefined, parseRecordEntry);
}

/** Who may see the signed-in patient's file. */
export async function listRecordGrants(client: CoreClient): Promise<RecordGrantList> {
  return engineOf(client).authorizedCall('GET', '/v1/records/grants', undefined, parseRecordGrantList);
}

/**
 * Lets another account (a clinician) read (`read`) or read and add to (`write`) the signed-in
 * patient's file, until revoked. The clinician is named by account id or by email address.
 *
 * @example
 *   const grant = await grantRecordAccess(client, { granteeAccountId: doctorId, scope: 'read' });
 *   await grantRecordAccess(client, { granteeEmail: 'dr.rivera@clinic.example', scope: 'write' });
 * @throws {ApiError} `RECORD_GRANTEE_INVALID` for an address or id of no clinician (one answer for both).
 */
export async function grantRecordAccess(client: CoreClient, input: NewRecordGrant): Promise<RecordGrant> {
  assertInput(input, 'grantRecordAccess');
  return engineOf(client).authorizedCall('POST', '/v1/records/grants', input, parseRecordGrant);
}

/** Revokes a grant to the signed-in patient's file; access ends at once. */
export async function revokeRecordGrant(client: CoreClient, grantId: string): Promise<void> {
  assertUuid(grantId, 'revokeRecordGrant expects a grant id');
  await engineOf(client).authorizedCall('DELETE', `/v1/records/grants/${grantId}`, undefined, () => true);
}

// ── Patients' files (clinician) ───────────────────────────────────────────────────────────────

/** The grants patients gave the signed-in clinician (one per patient file they may see). */
export async function listGrantingPatients(client: CoreClient): Promise<RecordGrantList> {
  return engineOf(client).authorizedCall('GET', '/v1/records/patients', undefined, parseRecordGrantList);
}

/**
 * The entries of a patient's file the signed-in clinician was granted.
 *
 * @throws {ApiError} `RECORD_NOT_FOUND` without a live grant (the same answer as for no such patient).
 */
export async function listPatientEntries(client: CoreClient, patientId: string): Promise<RecordEntryList> {
  assertUuid(patientId, 'listPatientEntries expects a patient account id');
  return engineOf(client).authorizedCall('GET', `/v1/records/patients/${patientId}/entries`, undefined, parseRecordEntryList);
}

/** One entry of a patient's file the signed-in clinician was granted. */
export async function getPatientEntry(client: CoreClient, patientId: string, entryId: string): Promise<RecordEntry> {
  assertUuid(patientId, 'getPatientEntry expects a patient account id');
  assertUuid(entryId, 'getPatientEntry expects an entry id');
  return engineOf(client).authorizedCall('GET', `/v1/records/patients/${patientId}/entries/${entryId}`, undefined, parseRecordEntry);
}

/**
 * Adds an entry to a patient's file (needs a `write` grant). The fields follow the declaration
 * of the entry type (the server's OpenAPI document lists them).
 *
 * @example
 *   await addPatientEntry(client, patientId, { type: 'file-entry', fields: { kind: 'note', note: 'Follow-up in two weeks.' } });
 * @throws {ApiError} `REQUEST_INVALID` with the pointer of each refused field (`/body/fields/kind`).
 */
export async function addPatientEntry(client: CoreClient, patientId: string, input: NewRecordEntry): Promise<RecordEntry> {
  assertUuid(patientId, 'addPatientEntry expects a patient account id');
  assertInput(input, 'addPatientEntry');
  return engineOf(client).authorizedCall('POST', `/v1/records/patients/${patientId}/entries`, input, parseRecordEntry);
}
