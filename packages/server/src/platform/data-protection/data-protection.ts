/**
 * @module platform/data-protection/data-protection
 *
 * `createDataProtection`: envelope encryption of personal data per subject (see types.ts).
 *
 * A sealed value is `pd1.<data-key version>.<base64url(iv ‖ ciphertext ‖ tag)>`: AES-256-GCM under
 * the subject's data key with a fresh 96-bit IV; the additional authenticated data is the format,
 * table, column, row id, subject id and data-key version, so a value moved to another row, column
 * or person — or relabelled with another version — does not open.
 *
 * Data keys are unwrapped by the key service and cached (key-cache.ts). Two rules keep the cache
 * honest when the caller's transaction rolls back after a key was created inside it:
 * - sealing always reads the subject's key row through the caller's executor and uses a cached
 *   key only if it was unwrapped from that very row (same wrapped bytes);
 * - opening trusts the cache, but when a cached key fails to open a value it is dropped and the
 *   row is read and unwrapped once more before giving up.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { SealedDataUnreadableError } from '../crypto/index.ts';
import { KeyUnwrapError, type KeyService } from '../kms/index.ts';
import {
  BLIND_INDEX_SUBJECT,
  currentDataKey,
  dataKeyContext,
  dataKeyVersion,
  destroyDataKeys,
  insertDataKeyIfAbsent,
  isErased,
  type DataKeyRow,
} from './data-keys.ts';
import { createKeyCache, type KeyCacheStats } from './key-cache.ts';
import type { BlindIndexKind, DataDb, DataProtection, FieldLocation } from './types.ts';

const FORMAT = 'pd1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Sealing for a subject whose data keys were destroyed: a programming error, the account is gone. */
export class SubjectErasedError extends Error {
  override readonly name = 'SubjectErasedError';
}

export interface DataProtectionOptions {
  readonly keyService: KeyService;
  readonly now: () => number;
  /** Unwrapped data keys kept in memory (`keyService.cache`). */
  readonly cache: { readonly maxKeys: number; readonly ttlMs: number };
}

export interface DataProtectionService extends DataProtection {
  /** Cache hits and misses since start (benchmarks, metrics). */
  cacheStats(): KeyCacheStats;
}

function additionalData(subjectId: string, version: number, at: FieldLocation): Buffer {
  return Buffer.from([FORMAT, at.table, at.column, at.rowId, subjectId, String(version)].join('\u0000'), 'utf8');
}

function sealWith(key: Buffer, plaintext: string, aad: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([iv, ciphertext]).toString('base64url');
}

/** Opens with `key`; undefined when authentication fails (the caller decides whether to retry). */
function openWith(key: Buffer, payload: Buffer, aad: Buffer): string | undefined {
  const iv = payload.subarray(0, IV_BYTES);
  const tag = payload.subarray(payload.length - TAG_BYTES);
  const ciphertext = payload.subarray(IV_BYTES, payload.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function parseSealed(sealed: string): { version: number; payload: Buffer } {
  const parts = sealed.split('.');
  const [format, versionText, payloadText] = parts;
  const version = Number(versionText);
  if (parts.length !== 3 || format !== FORMAT || !Number.isSafeInteger(version) || version < 1 || payloadText === undefined) {
    throw new SealedDataUnreadableError('unknown sealed-data format');
  }
  const payload = Buffer.from(payloadText, 'base64url');
  if (payload.length < IV_BYTES + TAG_BYTES) throw new SealedDataUnreadableError('malformed sealed data');
  return { version, payload };
}

const cacheId = (subjectId: string, version: number): string => `${subjectId}\u0000${version}`;

/**
 * @example
 * const dataProtection = createDataProtection({ keyService, now: clock.now, cache: { maxKeys: 10_000, ttlMs: 300_000 } });
 * const sealed = await dataProtection.seal(tx, accountId, '+447700900123', { table: 'mfa_phone_factors', column: 'phone_ciphertext', rowId: factorId });
 */
export function createDataProtection(options: DataProtectionOptions): DataProtectionService {
  const { keyService } = options;
  const cache = createKeyCache({ ...options.cache, now: options.now });
  let blindIndexRoot: Buffer | undefined;
  const blindIndexKeys = new Map<BlindIndexKind, Buffer>();

  /** The row's key from the cache when it was unwrapped from these very bytes, else from the key service. */
  async function unwrapRow(row: DataKeyRow): Promise<Buffer> {
    const cached = cache.get(cacheId(row.subject_id, row.version));
    return cached?.wrapped === row.wrapped ? cached.key : unwrapAndCache(row);
  }

  async function unwrapAndCache(row: DataKeyRow): Promise<Buffer> {
    let key: Buffer;
    try {
      key = Buffer.from(
        await keyService.unwrap({ kekVersion: row.kek_version, wrapped: row.wrapped }, dataKeyContext(row.subject_id, row.version)),
      );
    } catch (error) {
      if (error instanceof KeyUnwrapError) throw new SealedDataUnreadableError('data key does not unwrap', { cause: error });
      throw error;
    }
    cache.set(cacheId(row.subject_id, row.version), { key, wrapped: row.wrapped });
    return key;
  }

  /** The subject's newest key as stored in `db`, created when the subject has none yet. */
  async function keyForSealing(db: DataDb, subjectId: string): Promise<{ key: Buffer; version: number; created: boolean }> {
    let row = await currentDataKey(db, subjectId);
    if (!row) {
      if (await isErased(db, subjectId)) throw new SubjectErasedError('the subject was erased; nothing is sealed for them again');
      const fresh = randomBytes(KEY_BYTES);
      const wrapped = await keyService.wrap(fresh, dataKeyContext(subjectId, 1));
      await insertDataKeyIfAbsent(db, {
        subject_id: subjectId,
        version: 1,
        kek_version: wrapped.kekVersion,
        wrapped: wrapped.wrapped,
        created_at: options.now(),
      });
      row = await currentDataKey(db, subjectId);
      if (!row) throw new SubjectErasedError('the subject was erased while its first key was created');
      // Not cached here: the row may still roll back with the caller's transaction.
      if (row.wrapped === wrapped.wrapped) return { key: fresh, version: row.version, created: true };
    }
    return { key: await unwrapRow(row), version: row.version, created: false };
  }

  async function rowForOpening(db: DataDb, subjectId: string, version: number): Promise<DataKeyRow> {
    const row = await dataKeyVersion(db, subjectId, version);
    if (!row) throw new SealedDataUnreadableError('no data key: the subject was erased or the value was moved');
    return row;
  }

  return {
    async seal(db, subjectId, plaintext, at) {
      const { key, version } = await keyForSealing(db, subjectId);
      return `${FORMAT}.${version}.${sealWith(key, plaintext, additionalData(subjectId, version, at))}`;
    },

    async open(db, subjectId, sealed, at) {
      const { version, payload } = parseSealed(sealed);
      const aad = additionalData(subjectId, version, at);
      const cached = cache.get(cacheId(subjectId, version));
      if (cached) {
        const opened = openWith(cached.key, payload, aad);
        if (opened !== undefined) return opened;
      }
      const row = await rowForOpening(db, subjectId, version);
      if (cached?.wrapped === row.wrapped) throw new SealedDataUnreadableError('sealed data failed authentication');
      const opened = openWith(await unwrapAndCache(row), payload, aad);
      if (opened === undefined) throw new SealedDataUnreadableError('sealed data failed authentication');
      return opened;
    },

    async blindIndex(db, kind: BlindIndexKind, normalised) {
      // The index key is a service key in `data_keys` like any other, so rotation re-wraps it. It
      // is kept for the life of the process once read from a stored row (not when this call just
      // created it: the caller's transaction may still roll back).
      let root = blindIndexRoot;
      if (!root) {
        const found = await keyForSealing(db, BLIND_INDEX_SUBJECT);
        if (!found.created) blindIndexRoot = found.key;
        root = found.key;
      }
      let key = blindIndexKeys.get(kind);
      if (!key || root !== blindIndexRoot) {
        key = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `portcullis blind-index ${kind} v1`, KEY_BYTES));
        if (root === blindIndexRoot) blindIndexKeys.set(kind, key);
      }
      return createHmac('sha256', key).update(normalised, 'utf8').digest('base64url');
    },

    async erase(db, subjectId) {
      if (subjectId.startsWith('~')) throw new TypeError('data protection: service keys are not erased');
      const destroyed = await destroyDataKeys(db, subjectId, options.now());
      cache.evictPrefix(`${subjectId}\u0000`);
      return destroyed;
    },

    cacheStats: () => cache.stats(),
  };
}
