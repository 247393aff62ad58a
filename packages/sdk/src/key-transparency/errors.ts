/**
 * @module key-transparency/errors
 *
 * The one error the key-transparency verifiers throw: a checkpoint, proof or entry the client
 * must not accept. `code` says which check failed; every one means "do not trust this key
 * material", and none is retried away.
 */

export const KEY_TRANSPARENCY_ERROR_CODES = Object.freeze([
  /** The verifier key is not a C2SP Ed25519 verifier key whose key ID matches. */
  'VERIFIER_KEY_INVALID',
  /** The checkpoint note is malformed, or its body is not a C2SP tlog checkpoint. */
  'CHECKPOINT_MALFORMED',
  /** The checkpoint carries no valid signature by the pinned log key. */
  'CHECKPOINT_SIGNATURE_INVALID',
  /** The checkpoint names another log than the pinned key's. */
  'CHECKPOINT_ORIGIN_MISMATCH',
  /** Two checkpoints cannot both be true: no valid consistency proof links them (a fork or rewritten history). */
  'CONSISTENCY_PROOF_INVALID',
  /** The entry is not in the tree the checkpoint signed. */
  'INCLUSION_PROOF_INVALID',
  /** The entry is malformed, or is not the credential that was expected. */
  'ENTRY_INVALID',
  /** The server's answer did not have the documented shape. */
  'RESPONSE_INVALID',
] as const);

export type KeyTransparencyErrorCode = (typeof KEY_TRANSPARENCY_ERROR_CODES)[number];

/** Key material failed a transparency check: refuse it. */
export class KeyTransparencyError extends Error {
  override readonly name = 'KeyTransparencyError';
  readonly code: KeyTransparencyErrorCode;

  constructor(code: KeyTransparencyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Narrows `error` to a {@link KeyTransparencyError}, optionally of one code. */
export function isKeyTransparencyError(error: unknown, code?: KeyTransparencyErrorCode): error is KeyTransparencyError {
  return error instanceof KeyTransparencyError && (code === undefined || error.code === code);
}
