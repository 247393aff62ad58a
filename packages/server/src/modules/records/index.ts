/**
 * @module modules/records
 *
 * Declared records: each person's profile and the patient file with its sharing grants. Rows
 * are scoped in SQL to the caller (scope.ts), fields are sealed per person and leave only
 * through the one visibility function (visibility.ts, view.ts). Other modules import from here only.
 */
export { recordsRoutes } from './routes.ts';
export type { RecordsDeps } from './deps.ts';
export { forgetRecordsOf, recordsHeldAbout } from './held.ts';
export type { HeldGrant, RecordsForgotten, RecordsHeld, RecordsHeldDeps } from './held.ts';
export { classificationsVisibleTo, type Relation } from './visibility.ts';
export { grantInForce } from './scope.ts';
export { recordsService } from './deps.ts';
export type { RecordsService } from './deps.ts';
export { addPatientEntry, createGrant } from './service.ts';
export { replaceOwnProfile } from './profiles.ts';
