/**
 * @module platform/kms/local
 *
 * The `local` key service: KEKs in a JSON key file on the server's disk,
 * `{ "version": 1, "development": bool, "current": "v2", "keks": { "v1": "<base64 32 bytes>", … } }`
 * (mode 0600). It is what a single machine without an HSM can do; it protects a copy of the
 * database and the data directory only when the key file lives elsewhere (another volume, a
 * secrets mount), which is why production refuses a key file inside the data directory
 * (config/kms.ts checks that). Rotation rewrites the file atomically (write, fsync, rename).
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KEK_BYTES, unwrapWithKey, wrapWithKey } from './aes-gcm-wrap.ts';
import { KeyServiceUnavailableError, KeyUnwrapError, type KekVersions, type KeyService } from './key-service.ts';

interface LocalKeyFile {
  version: 1;
  development: boolean;
  current: string;
  keks: Record<string, string>;
}

export class LocalKeyFileError extends Error {
  override readonly name = 'LocalKeyFileError';
}

function parseKeyFile(text: string, file: string): LocalKeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LocalKeyFileError(`key file ${file} is not valid JSON`);
  }
  const candidate = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<LocalKeyFile>;
  // Parsed JSON: null and non-strings are possible whatever the type says.
  const keks = candidate.keks as Record<string, unknown> | null | undefined;
  if (
    candidate.version !== 1 ||
    typeof candidate.development !== 'boolean' ||
    typeof candidate.current !== 'string' ||
    typeof keks !== 'object' ||
    keks === null ||
    typeof keks[candidate.current] !== 'string' ||
    Object.values(keks).some((kek) => typeof kek !== 'string' || Buffer.from(kek, 'base64').length !== KEK_BYTES)
  ) {
    throw new LocalKeyFileError(
      `key file ${file} does not have the shape { version: 1, development, current, keks: { <version>: <32 bytes base64> } }`,
    );
  }
  return candidate as LocalKeyFile;
}

function writeKeyFileAtomically(file: string, content: LocalKeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** A new key file with one KEK (`v1`). */
export function generateLocalKeyFile(options: { development: boolean }): LocalKeyFile {
  return { version: 1, development: options.development, current: 'v1', keks: { v1: randomBytes(KEK_BYTES).toString('base64') } };
}

/** Writes a fresh key file at `file`; refuses to overwrite one (that would destroy every KEK). */
export function createLocalKeyFile(file: string, options: { development: boolean }): void {
  if (existsSync(file)) throw new LocalKeyFileError(`key file ${file} already exists; refusing to overwrite it`);
  writeKeyFileAtomically(file, generateLocalKeyFile(options));
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

function versionNumber(version: string): number {
  return Number(version.slice(1));
}

/**
 * Opens the key file at `file`. With `createIfMissing` (development) a new one is written first.
 * The file is read again on every rotation so two processes rotating do not lose a version.
 */
export function openLocalKeyService(
  file: string,
  options: { createIfMissing: boolean; development: boolean },
): KeyService & { readonly development: boolean } {
  if (!existsSync(file)) {
    if (!options.createIfMissing) throw new LocalKeyFileError(`key file ${file} does not exist; create one with \`portcullis keys init\``);
    createLocalKeyFile(file, { development: options.development });
  }
  const read = (): LocalKeyFile => {
    try {
      return parseKeyFile(readFileSync(file, 'utf8'), file);
    } catch (error) {
      if (error instanceof LocalKeyFileError) throw error;
      throw new KeyServiceUnavailableError(`key file ${file} cannot be read`, { cause: error });
    }
  };
  let keyFile = read();
  let readAt = modifiedAt(file);
  /** The file as it is now: another process (`portcullis keys rotate`) may have rotated since. */
  const fresh = (): LocalKeyFile => {
    const now = modifiedAt(file);
    if (now !== readAt) {
      keyFile = read();
      readAt = now;
    }
    return keyFile;
  };
  const kek = (version: string): Buffer => {
    let encoded = keyFile.keks[version];
    // Another process may have rotated since this one read the file.
    if (encoded === undefined) {
      keyFile = read();
      encoded = keyFile.keks[version];
    }
    if (encoded === undefined) throw new KeyUnwrapError(`KEK version ${version} is not held by the key service`);
    return Buffer.from(encoded, 'base64');
  };
  return {
    adapter: 'local',
    development: keyFile.development,
    wrap(key, context) {
      // New wraps must use the current version even when another process just rotated: the old
      // one is destroyed once no stored key uses it.
      return Promise.resolve().then(() => {
        const version = fresh().current;
        return { kekVersion: version, wrapped: wrapWithKey(kek(version), key, context) };
      });
    },
    unwrap(wrapped, context) {
      return Promise.resolve().then(() => unwrapWithKey(kek(wrapped.kekVersion), wrapped.wrapped, context));
    },
    versions(): Promise<KekVersions> {
      keyFile = read();
      const all = Object.keys(keyFile.keks).sort((a, b) => versionNumber(a) - versionNumber(b));
      return Promise.resolve({ current: keyFile.current, all });
    },
    rotate() {
      keyFile = read();
      const next = `v${Math.max(...Object.keys(keyFile.keks).map(versionNumber)) + 1}`;
      keyFile = { ...keyFile, current: next, keks: { ...keyFile.keks, [next]: randomBytes(KEK_BYTES).toString('base64') } };
      writeKeyFileAtomically(file, keyFile);
      return Promise.resolve(next);
    },
    retire(version) {
      keyFile = read();
      if (version === keyFile.current) return Promise.reject(new LocalKeyFileError(`KEK ${version} is current and cannot be retired`));
      const { [version]: _retired, ...keks } = keyFile.keks;
      keyFile = { ...keyFile, keks };
      writeKeyFileAtomically(file, keyFile);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
