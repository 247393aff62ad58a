/**
 * @module platform/kms/key-service
 *
 * The key service port. A key service holds the key-encryption keys (KEKs); the server hands it
 * a 32-byte data key to wrap and gets back an opaque wrapped value, and hands the wrapped value
 * back to unwrap it. The KEK never reaches the server's memory when the adapter is an HSM
 * (`pkcs11`): wrapping and unwrapping happen inside the token. The `local` adapter keeps the KEKs
 * in a key file that production refuses inside the data directory.
 *
 * Wrapping is AES-256-GCM with a fresh 96-bit IV per wrap and the caller's `context` as
 * additional authenticated data, so a wrapped key copied to another subject's row does not
 * unwrap. The wrapped value is `base64url(iv ‖ ciphertext ‖ tag)`, the same for every adapter.
 *
 * KEKs are versioned (`v1`, `v2`, …). `rotate()` creates a new version and makes it current;
 * older versions keep unwrapping until `retire()` deletes them, which the rotation command only
 * does once no stored data key uses them.
 */

/** A data key wrapped by one KEK version. */
export interface WrappedKey {
  /** The KEK version that wrapped it (`v1`, `v2`, …). */
  readonly kekVersion: string;
  /** `base64url(iv ‖ ciphertext ‖ tag)`. */
  readonly wrapped: string;
}

export interface KekVersions {
  /** The version new wraps use. */
  readonly current: string;
  /** Every version the service holds, oldest first (the current one included). */
  readonly all: readonly string[];
}

export interface KeyService {
  /** `local` or `pkcs11`, for logs and the health report. */
  readonly adapter: 'local' | 'pkcs11';
  /** Wraps `key` (32 bytes) under the current KEK; `context` is authenticated, never stored by the service. */
  wrap(key: Uint8Array, context: string): Promise<WrappedKey>;
  /** Unwraps what `wrap` produced with the same `context`; throws `KeyUnwrapError` otherwise. */
  unwrap(wrapped: WrappedKey, context: string): Promise<Uint8Array>;
  versions(): Promise<KekVersions>;
  /** Creates a new KEK version and makes it current; returns its name. */
  rotate(): Promise<string>;
  /** Destroys a KEK version that is not current. Whatever it wrapped can no longer be unwrapped. */
  retire(version: string): Promise<void>;
  /** Releases the connection (HSM session, file handles). */
  close(): Promise<void>;
}

/**
 * The key service cannot be reached (HSM down, session lost, key file unreadable). Requests that
 * need a key answer `503 KEY_SERVICE_UNAVAILABLE` with `Retry-After`; nothing is served in clear.
 */
export class KeyServiceUnavailableError extends Error {
  override readonly name: string = 'KeyServiceUnavailableError';
}

/** A wrapped key does not open: wrong context, unknown or retired KEK version, or tampered. */
export class KeyUnwrapError extends Error {
  override readonly name: string = 'KeyUnwrapError';
}

export function isKeyServiceUnavailable(error: unknown): boolean {
  return error instanceof KeyServiceUnavailableError;
}
