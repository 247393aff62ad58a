/**
 * @module @portcullis/sdk/key-transparency
 *
 * Client-side checks of the key transparency log: recompute an entry's Merkle leaf, verify RFC
 * 9162 inclusion and consistency proofs, verify a checkpoint's signature against the pinned log
 * key, and a {@link KeyLogMonitor} that keeps the latest verified checkpoint and refuses anything
 * that contradicts it. Hashing is `@noble/hashes` (SHA-256), signatures the platform's WebCrypto
 * Ed25519; no Node API, so they run in browsers and in React Native with WebCrypto installed.
 *
 * @example
 *   import { KeyLogMonitor, keyLogSource } from '@portcullis/sdk/key-transparency';
 *
 *   const monitor = new KeyLogMonitor({ verifierKey: PINNED_KEY_LOG_KEY, source: keyLogSource(client) });
 *   await monitor.refresh();
 *   await monitor.verifyCredential({ index, accountId, deviceId, signatureKey });
 */
export { encodeKeyLogEntry, entrySignatureKey, keyLogLeafHash } from './entry.ts';
export { EMPTY_ROOT, HASH_BYTES, hashChildren, hashLeaf, verifyConsistency, verifyInclusion } from './merkle.ts';
export { formatCheckpointBody, openSignedNote, parseCheckpointBody, parseVerifierKey, verifyCheckpoint } from './signed-note.ts';
export type { LogVerifierKey, VerifiedCheckpoint } from './signed-note.ts';
export { verifyKeyLogConsistency, verifyKeyLogEntry } from './verify.ts';
export { KeyLogMonitor, MemoryKeyLogCheckpointStore, keyLogSource } from './monitor.ts';
export type { ExpectedCredential, KeyLogCheckpointStore, KeyLogMonitorOptions, KeyLogSource } from './monitor.ts';
export { getKeyLogCheckpoint, getKeyLogConsistency, getKeyLogEntry } from './key-log-api.ts';
export { KEY_TRANSPARENCY_ERROR_CODES, KeyTransparencyError, isKeyTransparencyError } from './errors.ts';
export type { KeyTransparencyErrorCode } from './errors.ts';
