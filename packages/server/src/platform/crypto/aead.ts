/**
 * @module platform/crypto/aead
 *
 * Seals small secrets and personal data for storage with AES-256-GCM (NIST SP 800-38D): TOTP
 * seeds, phone numbers. Each use names its own purpose, from which a key is derived with HKDF
 * (RFC 5869) out of the key ring's `secret-encryption` key, so two uses can never open each
 * other's data. Each seal draws a fresh random 96-bit nonce; the additional authenticated data
 * binds the ciphertext to the row it belongs to (e.g. account and factor ids), so a ciphertext
 * copied into another row does not open. The stored text is versioned
 * (`v1.<nonce>.<ciphertext>.<tag>`, base64url) so that a later key or algorithm can be
 * introduced without guessing formats. Errors never carry the data.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.ts';

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The sealed text cannot be opened: wrong row, wrong key, tampered, or an unknown format. */
export class SealedDataUnreadableError extends Error {
  override readonly name: string = 'SealedDataUnreadableError';
}

export interface Sealer {
  /** Seals `plaintext` for the row named by `binding` (ids, in a fixed order). */
  seal(plaintext: Uint8Array, binding: readonly string[]): string;
  /** Opens what `seal` produced for the same binding; throws `SealedDataUnreadableError` otherwise. */
  open(sealed: string, binding: readonly string[]): Uint8Array;
}

const derivedKeys = new WeakMap<KeyRing, Map<string, Buffer>>();

function keyFor(keyRing: KeyRing, purpose: string): Buffer {
  let keys = derivedKeys.get(keyRing);
  if (!keys) {
    keys = new Map();
    derivedKeys.set(keyRing, keys);
  }
  let key = keys.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', keyRing.key('secret-encryption'), Buffer.alloc(0), purpose, KEY_BYTES));
    keys.set(purpose, key);
  }
  return key;
}

function additionalData(binding: readonly string[]): Buffer {
  // The version is authenticated too, so a v1 ciphertext cannot be reinterpreted under a later format.
  return Buffer.from([VERSION, ...binding].join('\u0000'), 'utf8');
}

/**
 * A sealer for one purpose. `purpose` is the HKDF info string; it must be unique to the use and
 * never change once data was sealed with it. Creating one is cheap (the derived key is cached per
 * key ring and purpose), so callers create it where they use it rather than keeping their own.
 *
 * @example
 * const sealer = createSealer(keyRing, 'portcullis mfa phone-number aes-256-gcm v1');
 * const sealed = sealer.seal(new TextEncoder().encode('+447700900123'), [accountId, factorId]);
 */
export function createSealer(keyRing: KeyRing, purpose: string): Sealer {
  if (purpose.length < 8) throw new TypeError('createSealer: name the purpose of the key');
  return {
    seal(plaintext, binding) {
      // 96-bit random nonces: with one key, 2^32 seals keep the collision risk below 2^-32 (SP 800-38D 8.3).
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyFor(keyRing, purpose), nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(binding));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return [VERSION, nonce, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed, binding) {
      const parts = sealed.split('.');
      const [version, nonceText, ciphertextText, tagText] = parts;
      if (parts.length !== 4 || version !== VERSION || nonceText === undefined || ciphertextText === undefined || tagText === undefined) {
        throw new SealedDataUnreadableError('unknown sealed-data format');
      }
      const nonce = Buffer.from(nonceText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      // Node accepts shorter GCM tags unless told the length; a truncated tag would weaken the check.
      if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new SealedDataUnreadableError('malformed sealed data');
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyFor(keyRing, purpose), nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(binding));
        decipher.setAuthTag(tag);
        return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]));
      } catch (error) {
        throw new SealedDataUnreadableError('sealed data failed authentication', { cause: error });
      }
    },
  };
}
