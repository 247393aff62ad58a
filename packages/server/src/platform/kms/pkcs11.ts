/**
 * @module platform/kms/pkcs11
 *
 * The `pkcs11` key service: KEKs are AES-256 secret keys on a PKCS#11 token (CloudHSM, Luna,
 * YubiHSM, SoftHSM), created there with CKA_TOKEN, CKA_SENSITIVE and not CKA_EXTRACTABLE, and
 * labelled `<prefix>-v1`, `<prefix>-v2`, … (the highest version is current). Wrapping is
 * C_Encrypt with CKM_AES_GCM inside the token (fresh random 96-bit IV, the context as AAD, a
 * 128-bit tag) and unwrapping is C_Decrypt, so the KEK never leaves the HSM; the result has the
 * port's format `base64url(iv ‖ ciphertext ‖ tag)` (aes-gcm-wrap.ts), byte for byte what the
 * `local` adapter would produce under the same key.
 *
 * Failures of the session, the device or the library are `KeyServiceUnavailableError` (the API
 * answers 503 with Retry-After): the connection is dropped and opened again by a later call (once
 * straight away when a connection that used to work fails). A value that does not authenticate
 * is `KeyUnwrapError`, told apart from a device failure by asking the session whether it is
 * still alive (SoftHSM reports a wrong GCM tag as CKR_GENERAL_ERROR).
 *
 * One library is loaded and initialised once per process, however many key services use it
 * (C_Finalize would end every session of the process); each key service has its own session and
 * runs one operation on it at a time. `pkcs11js` is imported on first use, so a server on the
 * `local` adapter never loads a native PKCS#11 binding.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type * as Pkcs11Types from 'pkcs11js';
import { IV_BYTES, KEK_BYTES, TAG_BYTES, decodeWrapped, encodeWrapped } from './aes-gcm-wrap.ts';
import { KeyServiceUnavailableError, KeyUnwrapError, type KekVersions, type KeyService, type WrappedKey } from './key-service.ts';

type Pkcs11js = typeof Pkcs11Types;
type Pkcs11 = Pkcs11Types.PKCS11;
type Handle = Pkcs11Types.Handle;

export interface Pkcs11KeyServiceOptions {
  /** Path of the vendor's PKCS#11 library. */
  readonly library: string;
  readonly tokenLabel: string;
  /** The token's user PIN. */
  readonly pin: string;
  /** KEKs are labelled `<keyLabelPrefix>-v<n>`. */
  readonly keyLabelPrefix: string;
}

/** Misuse of the adapter (retiring the current KEK), never a device failure. */
export class Pkcs11KeyServiceError extends Error {
  override readonly name = 'Pkcs11KeyServiceError';
}

let binding: Promise<Pkcs11js> | undefined;

function loadBinding(): Promise<Pkcs11js> {
  binding ??= import('pkcs11js').then((loaded) => (loaded as { default?: Pkcs11js }).default ?? loaded);
  return binding;
}

/** One initialised library per path in this process, shared by every key service that uses it. */
const libraries = new Map<string, { readonly module: Pkcs11; users: number }>();

function acquireLibrary(pkcs11js: Pkcs11js, library: string): Pkcs11 {
  const loaded = libraries.get(library);
  if (loaded) {
    loaded.users += 1;
    return loaded.module;
  }
  const module = new pkcs11js.PKCS11();
  module.load(library);
  try {
    module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (codeOf(error) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      module.close();
      throw error;
    }
  }
  libraries.set(library, { module, users: 1 });
  return module;
}

function releaseLibrary(library: string): void {
  const loaded = libraries.get(library);
  if (!loaded) return;
  loaded.users -= 1;
  if (loaded.users > 0) return;
  libraries.delete(library);
  ignoreFailure(() => loaded.module.C_Finalize());
  ignoreFailure(() => loaded.module.close());
}

function ignoreFailure(action: () => void): void {
  try {
    action();
  } catch {
    // Tearing down a connection that already failed: nothing more to learn.
  }
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code !== 0 ? code : undefined;
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const VERSION = /^v([1-9][0-9]*)$/;

/**
 * After a failed reconnection, calls fail at once for this long instead of each trying again: with
 * the HSM down, requests answer 503 quickly rather than queueing behind connection attempts.
 */
const RECONNECT_BACKOFF_MS = 500;

function versionNumber(version: string): number {
  return Number(VERSION.exec(version)?.[1] ?? Number.NaN);
}

interface Connection {
  readonly module: Pkcs11;
  readonly session: Handle;
  /** KEK version → object handle, as found on the token. */
  keks: Map<string, Handle>;
}

/**
 * Opens the key service on the token labelled `tokenLabel`, logging in with the user PIN. A token
 * without any KEK of this prefix gets `<prefix>-v1`. Throws `KeyServiceUnavailableError` when the
 * library, the token or the login fails, so the server does not start without its keys.
 *
 * @example
 * const keyService = await openPkcs11KeyService({
 *   library: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'portcullis', pin, keyLabelPrefix: 'portcullis-kek',
 * });
 */
export async function openPkcs11KeyService(options: Pkcs11KeyServiceOptions): Promise<KeyService> {
  const pkcs11js = await loadBinding();
  const { library, tokenLabel, keyLabelPrefix } = options;
  const labelOf = (version: string): string => `${keyLabelPrefix}-${version}`;
  const labelPattern = new RegExp(`^${keyLabelPrefix.replace(/[.]/g, '\\.')}-(v[1-9][0-9]*)$`);
  let connection: Connection | undefined;
  let closed = false;
  let reconnectAfter = 0;
  /** Operations run one at a time on the session: a PKCS#11 session holds one active operation. */
  let queue: Promise<unknown> = Promise.resolve();

  function findKeks(module: Pkcs11, session: Handle): Map<string, Handle> {
    module.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: true },
    ]);
    const handles: Handle[] = [];
    try {
      for (let batch = module.C_FindObjects(session, 64); batch.length > 0; batch = module.C_FindObjects(session, 64)) {
        handles.push(...batch);
      }
    } finally {
      module.C_FindObjectsFinal(session);
    }
    const keks = new Map<string, Handle>();
    for (const handle of handles) {
      const [label] = module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_LABEL }]);
      const version = labelPattern.exec(label?.value instanceof Buffer ? label.value.toString('utf8') : '')?.[1];
      if (version) keks.set(version, handle);
    }
    return keks;
  }

  function generateKek(conn: Connection, version: string): Handle {
    return conn.module.C_GenerateKey(conn.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: KEK_BYTES },
      { type: pkcs11js.CKA_LABEL, value: labelOf(version) },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      // Never readable or exportable: the KEK exists only inside the token.
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_WRAP, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
      { type: pkcs11js.CKA_SIGN, value: false },
      { type: pkcs11js.CKA_VERIFY, value: false },
    ]);
  }

  function connect(): Connection {
    let module: Pkcs11;
    try {
      module = acquireLibrary(pkcs11js, library);
    } catch (error) {
      throw new KeyServiceUnavailableError(`PKCS#11 library ${library} cannot be loaded: ${describeFailure(error)}`, { cause: error });
    }
    let session: Handle | undefined;
    try {
      const slot = module.C_GetSlotList(true).find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === tokenLabel);
      if (slot === undefined) throw new Error(`no token labelled "${tokenLabel}"`);
      session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        module.C_Login(session, pkcs11js.CKU_USER, options.pin);
      } catch (error) {
        // The login state belongs to the application: another key service of this process may hold it.
        if (codeOf(error) !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) throw error;
      }
      const conn: Connection = { module, session, keks: findKeks(module, session) };
      if (conn.keks.size === 0) conn.keks.set('v1', generateKek(conn, 'v1'));
      return conn;
    } catch (error) {
      const opened = session;
      if (opened !== undefined) ignoreFailure(() => module.C_CloseSession(opened));
      releaseLibrary(library);
      throw new KeyServiceUnavailableError(`PKCS#11 token "${tokenLabel}" cannot be used: ${describeFailure(error)}`, { cause: error });
    }
  }

  function disconnect(): void {
    const current = connection;
    connection = undefined;
    if (!current) return;
    ignoreFailure(() => current.module.C_CloseSession(current.session));
    releaseLibrary(library);
  }

  function sessionAlive(conn: Connection): boolean {
    try {
      conn.module.C_GetSessionInfo(conn.session);
      return true;
    } catch {
      return false;
    }
  }

  function currentVersion(conn: Connection): string {
    const versions = [...conn.keks.keys()].sort((a, b) => versionNumber(b) - versionNumber(a));
    const current = versions[0];
    // Every KEK gone at once is a token that lost its objects (or a different token), not a retirement.
    if (current === undefined) throw new KeyServiceUnavailableError(`PKCS#11 token "${tokenLabel}" holds no KEK labelled ${labelOf('v*')}`);
    return current;
  }

  /** The KEK labelled `<prefix>-<version>` on the token, if any (one search by label). */
  function findKek(conn: Connection, version: string): Handle | undefined {
    conn.module.C_FindObjectsInit(conn.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_LABEL, value: labelOf(version) },
    ]);
    try {
      return conn.module.C_FindObjects(conn.session, 1)[0];
    } finally {
      conn.module.C_FindObjectsFinal(conn.session);
    }
  }

  /** The current version, after checking the token for versions newer than this process knows. */
  function newestVersion(conn: Connection): string {
    let current = currentVersion(conn);
    for (;;) {
      const next = `v${versionNumber(current) + 1}`;
      const handle = findKek(conn, next);
      if (handle === undefined) return current;
      conn.keks.set(next, handle);
      current = next;
    }
  }

  /** The handle of `version`, looking again on the token once (another process may have rotated). */
  function kekHandle(conn: Connection, version: string): Handle {
    let handle = conn.keks.get(version);
    if (handle === undefined) {
      conn.keks = findKeks(conn.module, conn.session);
      handle = conn.keks.get(version);
    }
    if (handle === undefined) {
      currentVersion(conn);
      throw new KeyUnwrapError(`KEK version ${version} is not held by the key service`);
    }
    return handle;
  }

  function gcm(iv: Buffer, context: string): Pkcs11Types.Mechanism {
    const parameter: Pkcs11Types.GcmParams = {
      type: pkcs11js.CK_PARAMS_AES_GCM,
      iv,
      ivBits: IV_BYTES * 8,
      aad: Buffer.from(context, 'utf8'),
      tagBits: TAG_BYTES * 8,
    };
    return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
  }

  /**
   * Runs `operation` on the session, after every earlier one. A failure that is not a
   * `KeyUnwrapError` drops the connection; when the connection had worked before, it is opened
   * again and the operation tried once more (an HSM that restarted invalidates every session).
   */
  function run<T>(operation: (conn: Connection) => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      if (closed) throw new KeyServiceUnavailableError('the key service is closed');
      const reused = connection !== undefined;
      for (let tries = reused ? 2 : 1; ; tries -= 1) {
        if (connection === undefined) {
          if (performance.now() < reconnectAfter) throw new KeyServiceUnavailableError(`PKCS#11 token "${tokenLabel}" is unreachable`);
          try {
            connection = connect();
          } catch (error) {
            reconnectAfter = performance.now() + RECONNECT_BACKOFF_MS;
            throw error;
          }
        }
        try {
          return await operation(connection);
        } catch (error) {
          if (error instanceof KeyUnwrapError || error instanceof Pkcs11KeyServiceError) throw error;
          disconnect();
          if (tries <= 1) {
            if (error instanceof KeyServiceUnavailableError) throw error;
            throw new KeyServiceUnavailableError(`PKCS#11 operation failed: ${describeFailure(error)}`, { cause: error });
          }
        }
      }
    };
    const result = queue.then(attempt, attempt);
    queue = result.catch(() => undefined);
    return result;
  }

  const service: KeyService = {
    adapter: 'pkcs11',

    wrap(key, context): Promise<WrappedKey> {
      return run(async (conn) => {
        // Looked up on the token every time: another process may have rotated, and the old
        // version is destroyed once no stored key uses it.
        const kekVersion = newestVersion(conn);
        const iv = randomBytes(IV_BYTES);
        conn.module.C_EncryptInit(conn.session, gcm(iv, context), kekHandle(conn, kekVersion));
        const sealed = await conn.module.C_EncryptAsync(conn.session, Buffer.from(key), Buffer.alloc(key.length + TAG_BYTES));
        return { kekVersion, wrapped: encodeWrapped(iv, sealed) };
      });
    },

    unwrap(wrapped, context) {
      return run(async (conn) => {
        if (!VERSION.test(wrapped.kekVersion)) throw new KeyUnwrapError(`KEK version ${wrapped.kekVersion} is malformed`);
        const { iv, ciphertextAndTag } = decodeWrapped(wrapped.wrapped);
        conn.module.C_DecryptInit(conn.session, gcm(iv, context), kekHandle(conn, wrapped.kekVersion));
        try {
          const key = await conn.module.C_DecryptAsync(conn.session, ciphertextAndTag, Buffer.alloc(ciphertextAndTag.length));
          return new Uint8Array(key);
        } catch (error) {
          // A wrong context or tag fails the decryption while the session stays usable; a device
          // failure takes the session with it.
          if (sessionAlive(conn)) throw new KeyUnwrapError('wrapped key failed authentication', { cause: error });
          throw error;
        }
      });
    },

    versions(): Promise<KekVersions> {
      return run((conn) => {
        conn.keks = findKeks(conn.module, conn.session);
        const current = currentVersion(conn);
        const all = [...conn.keks.keys()].sort((a, b) => versionNumber(a) - versionNumber(b));
        return Promise.resolve({ current, all });
      });
    },

    rotate() {
      return run((conn) => {
        conn.keks = findKeks(conn.module, conn.session);
        const next = `v${versionNumber(currentVersion(conn)) + 1}`;
        conn.keks.set(next, generateKek(conn, next));
        return Promise.resolve(next);
      });
    },

    retire(version) {
      return run((conn) => {
        conn.keks = findKeks(conn.module, conn.session);
        if (version === currentVersion(conn)) throw new Pkcs11KeyServiceError(`KEK ${version} is current and cannot be retired`);
        const handle = conn.keks.get(version);
        if (handle !== undefined) {
          conn.module.C_DestroyObject(conn.session, handle);
          conn.keks.delete(version);
        }
        return Promise.resolve();
      });
    },

    async close() {
      closed = true;
      await queue;
      disconnect();
    },
  };
  // Fail at start, with the reason, rather than on the first request that needs a key.
  await service.versions();
  return service;
}
