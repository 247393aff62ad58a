/**
 * @module platform/data-protection
 *
 * Envelope encryption of personal data per data subject (types.ts), blind indexes for look-ups,
 * and crypto-shredding. Every module seals personal data through this door; none holds a data key.
 */
export { SERVICE_SUBJECT } from './types.ts';
export type { BlindIndexKind, DataDb, DataProtection, FieldLocation } from './types.ts';
export { BLIND_INDEX_SUBJECT, dataKeyContext } from './data-keys.ts';
export { SubjectErasedError, createDataProtection } from './data-protection.ts';
export type { DataProtectionOptions, DataProtectionService } from './data-protection.ts';
export type { KeyCacheStats } from './key-cache.ts';
export {
  DEFAULT_RETIRE_GRACE_MS,
  DEFAULT_REWRAP_BATCH_SIZE,
  KekInUseError,
  keyStatus,
  retireKekVersion,
  rotateDataKeys,
} from './rewrap.ts';
export type { KeyStatus, RewrapProgress, RotateOptions, RotationReport } from './rewrap.ts';
