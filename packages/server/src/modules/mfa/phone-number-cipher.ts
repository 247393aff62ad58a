/**
 * @module modules/mfa/phone-number-cipher
 *
 * Phone numbers are personal data: they are stored only sealed with AES-256-GCM under a key of
 * their own (platform/crypto/aead.ts, HKDF info below), bound to the account and factor ids, plus
 * a keyed hash (HMAC-SHA-256 under the key ring's `code-hmac` key, domain-separated) that lets
 * the server find or count a number — per-number send limits — without being able to read it.
 * Without the key ring, the hash of a number cannot be computed, so the small space of phone
 * numbers cannot be searched offline from a database copy.
 */
import { createSealer, hmacSha256, SealedDataUnreadableError, type KeyRing } from '../../platform/crypto/index.ts';
import { E164 } from './phone-number.ts';

/** Never change: every stored number was sealed under the key derived from it. */
const HKDF_INFO = 'portcullis mfa phone-number aes-256-gcm v1';

export interface PhoneBinding {
  readonly accountId: string;
  readonly factorId: string;
}

export function sealPhoneNumber(keyRing: KeyRing, e164: string, binding: PhoneBinding): string {
  if (!E164.test(e164)) throw new TypeError('sealPhoneNumber expects an E.164 number');
  return createSealer(keyRing, HKDF_INFO).seal(new TextEncoder().encode(e164), [binding.accountId, binding.factorId]);
}

/** The number, or `undefined` when the stored value does not open (moved, tampered, another key ring). */
export function openPhoneNumber(keyRing: KeyRing, sealed: string, binding: PhoneBinding): string | undefined {
  try {
    const e164 = new TextDecoder().decode(createSealer(keyRing, HKDF_INFO).open(sealed, [binding.accountId, binding.factorId]));
    return E164.test(e164) ? e164 : undefined;
  } catch (error) {
    if (error instanceof SealedDataUnreadableError) return undefined;
    throw error;
  }
}

export function phoneNumberHash(keyRing: KeyRing, e164: string): string {
  return hmacSha256(keyRing.key('code-hmac'), `mfa_phone_number\u0000${e164}`);
}
