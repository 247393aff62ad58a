/**
 * @module test-support/messaging-world
 *
 * The messaging module's MLS test helpers (modules/messaging/test-support/mls-world.ts) for tests
 * outside that module: real KeyPackages, groups, commits and messages through the API.
 */
export { MlsDevice, newGroupId, recordingKeyLog } from '../modules/messaging/test-support/mls-world.ts';
export type { RecordedKeyLogEntry } from '../modules/messaging/test-support/mls-world.ts';
