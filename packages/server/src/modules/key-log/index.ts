/**
 * @module modules/key-log
 *
 * The key transparency log: every add and removal of a messaging device's credential key, as the
 * entries of an append-only RFC 9162 Merkle tree (platform/merkle) with signed C2SP checkpoints
 * (platform/signed-note), and the routes clients read checkpoints and proofs from. Other modules
 * append through `appendKeyLogEntry`, inside the transaction of the change an entry records.
 * Other modules import from here only.
 */
export { appendKeyLogEntry } from './append.ts';
export type { KeyLogAppend } from './entry.ts';
export { keyLogLeafHash } from './entry.ts';
export { currentCheckpoint, keyLogKey, keyLogOrigin } from './checkpoint.ts';
export type { KeyLogConfig, KeyLogDeps, KeyLogKey } from './checkpoint.ts';
export { getKeyLogCheckpoint, getKeyLogConsistency, getKeyLogEntry } from './service.ts';
export type { KeyLogEntryVisibility, KeyLogServiceDeps } from './service.ts';
export { KeyLogIntegrityError, KeyLogMissingError } from './store.ts';
export { keyLogRoutes } from './routes.ts';
