/**
 * @module modules/mfa/seed-cipher
 *
 * Seals TOTP seeds for storage with AES-256-GCM (NIST SP 800-38D). The key is derived with HKDF
 * (RFC 5869) from the key ring's `secret-encryption` key, so this use cannot collide with any
 * other use of that key. Each seal draws a fresh random 96-bit nonce; the additional
 * authenticated data binds the ciphertext to its account and factor ids, so a ciphertext copied
 * into another row does not open. The stored text is versioned (`v1.<nonce>.<ciphertext>.<tag>`,
 * base64url) so that a later key or algorithm can be introduced without guessing formats.
 *
 * AEAD lives here rather than in platform/crypto only because TOTP seeds are its one user; move
 * it there when a second user appears.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyRing } from '../../platform/crypto/index.ts';

const VERSION = 'v1';
const HKDF_INFO = 'portcullis mfa totp-seed aes-256-gcm v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Whose seed a ciphertext is: both ids go into the AAD. */
export interface SeedBinding {
  readonly accountId: string;
  readonly factorId: string;
}

/** The stored seed cannot be opened: wrong row, wrong key, tampered, or an unknown format. Never carries data. */
export class SeedUnreadableError extends Error {
  override readonly name = 'SeedUnreadableError';
}

const derivedKeys = new WeakMap<KeyRing, Buffer>();

function sealingKey(keyRing: KeyRing): Buffer {
  let key = derivedKeys.get(keyRing);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', keyRing.key('secret-encryption'), Buffer.alloc(0), HKDF_INFO, KEY_BYTES));
    derivedKeys.set(keyRing, key);
  }
  return key;
}

function additionalData(binding: SeedBinding): Buffer {
  // The version is authenticated too, so a v1 ciphertext cannot be reinterpreted under a later format.
  return Buffer.from(`${VERSION}\u0000${binding.accountId}\u0000${binding.factorId}`, 'utf8');
}

export function sealSeed(keyRing: KeyRing, seed: Uint8Array, binding: SeedBinding): string {
  // 96-bit random nonces: with one key, 2^32 seals keep the collision risk below 2^-32 (SP 800-38D 8.3).
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(keyRing), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(binding));
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
  return [VERSION, nonce, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function openSeed(keyRing: KeyRing, sealed: string, binding: SeedBinding): Uint8Array {
  const parts = sealed.split('.');
  const [version, nonceText, ciphertextText, tagText] = parts;
  if (parts.length !== 4 || version !== VERSION || nonceText === undefined || ciphertextText === undefined || tagText === undefined) {
    throw new SeedUnreadableError('unknown sealed-seed format');
  }
  const nonce = Buffer.from(nonceText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  // Node accepts shorter GCM tags unless told the length; a truncated tag would weaken the check.
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new SeedUnreadableError('malformed sealed seed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(keyRing), nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(binding));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]));
  } catch (error) {
    throw new SeedUnreadableError('sealed seed failed authentication', { cause: error });
  }
}
