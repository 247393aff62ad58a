/**
 * @module @portcullis/sdk/records
 *
 * The records API: a patient's own file entries and grants; a clinician's view of the files
 * patients granted; and each person's profile, with who may see each field.
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
export { getMyProfile, getProfile, previewMyData, updateMyProfile } from './profiles.ts';
