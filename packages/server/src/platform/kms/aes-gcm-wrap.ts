/**
 * @module platform/kms/aes-gcm-wrap
 *
 * The wrapped-key format every adapter shares: AES-256-GCM (NIST SP 800-38D) with a fresh
 * random 96-bit IV and a 128-bit tag, the caller's context as additional authenticated data,
 * stored as `base64url(iv ‖ ciphertext ‖ tag)`. The `local` adapter computes it with Node's
 * crypto; the `pkcs11` adapter asks the token for the same CKM_AES_GCM operation, so a key
 * wrapped by one can be checked against the other in tests.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyUnwrapError } from './key-service.ts';

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const KEK_BYTES = 32;

export function encodeWrapped(iv: Uint8Array, ciphertextAndTag: Uint8Array): string {
  return Buffer.concat([iv, ciphertextAndTag]).toString('base64url');
}

/** Splits a wrapped value into IV and `ciphertext ‖ tag`; throws `KeyUnwrapError` when too short to be one. */
export function decodeWrapped(wrapped: string): { iv: Buffer; ciphertextAndTag: Buffer } {
  const bytes = Buffer.from(wrapped, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES + 1) throw new KeyUnwrapError('wrapped key is malformed');
  return { iv: bytes.subarray(0, IV_BYTES), ciphertextAndTag: bytes.subarray(IV_BYTES) };
}

/** AES-256-GCM wrap with a key held in this process (the `local` adapter). */
export function wrapWithKey(kek: Buffer, key: Uint8Array, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  return encodeWrapped(iv, Buffer.concat([ciphertext, cipher.getAuthTag()]));
}

export function unwrapWithKey(kek: Buffer, wrapped: string, context: string): Uint8Array {
  const { iv, ciphertextAndTag } = decodeWrapped(wrapped);
  const tag = ciphertextAndTag.subarray(ciphertextAndTag.length - TAG_BYTES);
  const ciphertext = ciphertextAndTag.subarray(0, ciphertextAndTag.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (error) {
    throw new KeyUnwrapError('wrapped key failed authentication', { cause: error });
  }
}
