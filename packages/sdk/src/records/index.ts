/**
 * @module @portcullis/sdk/records
 *
 * The records API (a patient file): a patient's own entries and grants; a clinician's view of
 * the files patients granted.
 *
 * @example
 *   import { grantRecordAccess, listMyRecordEntries } from '@portcullis/sdk/records';
 *
 *   const { entries } = await listMyRecordEntries(client);
 *   await grantRecordAccess(client, { granteeAccountId: doctorId, scope: 'read' });
 */
export {
  addPatientEntry,
  getMyRecordEntry,
  getPatientEntry,
  grantRecordAccess,
  listGrantingPatients,
  listMyRecordEntries,
  listPatientEntries,
  listRecordGrants,
  revokeRecordGrant,
} from './records.ts';
