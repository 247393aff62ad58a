/**
 * @module modules/mfa/seed-cipher
 *
 * Seals TOTP seeds for storage with the platform's AES-256-GCM sealer (platform/crypto/aead.ts)
 * under a key used for nothing else (HKDF info below). The additional authenticated data binds
 * the ciphertext to its account and factor ids, so a ciphertext copied into another row does not
 * open. The stored text is versioned (`v1.<nonce>.<ciphertext>.<tag>`, base64url).
 */
import { createSealer, SealedDataUnreadableError, type KeyRing } from '../../platform/crypto/index.ts';

/** Never change: every stored seed was sealed under the key derived from it. */
const HKDF_INFO = 'portcullis mfa totp-seed aes-256-gcm v1';

/** Whose seed a ciphertext is: both ids go into the AAD. */
export interface SeedBinding {
  readonly accountId: string;
  readonly factorId: string;
}

/** The stored seed cannot be opened: wrong row, wrong key, tampered, or an unknown format. Never carries data. */
export class SeedUnreadableError extends SealedDataUnreadableError {
  override readonly name = 'SeedUnreadableError';
}

export function sealSeed(keyRing: KeyRing, seed: Uint8Array, binding: SeedBinding): string {
  return createSealer(keyRing, HKDF_INFO).seal(seed, [binding.accountId, binding.factorId]);
}

export function openSeed(keyRing: KeyRing, sealed: string, binding: SeedBinding): Uint8Array {
  try {
    return createSealer(keyRing, HKDF_INFO).open(sealed, [binding.accountId, binding.factorId]);
  } catch (error) {
    if (error instanceof SealedDataUnreadableError) throw new SeedUnreadableError(error.message, { cause: error });
    throw error;
  }
}
