/**
 * @module modules/mfa/phone-number-cipher
 *
 * Phone numbers are personal data: they are stored only sealed for the account holder
 * (platform/data-protection: AES-256-GCM under the person's own data key, bound to the
 * `mfa_phone_factors` row and the account), plus a blind index (HMAC-SHA-256 under the
 * key-service-held phone index key) that lets the server find or count a number — per-number
 * send limits — without being able to read it. Without the key service, the index of a number
 * cannot be computed, so the small space of phone numbers cannot be searched offline from a
 * database copy; erasing the person makes their numbers unreadable for good.
 */
import { SealedDataUnreadableError } from '../../platform/crypto/index.ts';
import type { DataDb, DataProtection, FieldLocation } from '../../platform/data-protection/index.ts';
import { E164 } from './phone-number.ts';

export interface PhoneBinding {
  readonly accountId: string;
  readonly factorId: string;
}

function phoneLocation(binding: PhoneBinding): FieldLocation {
  return { table: 'mfa_phone_factors', column: 'phone_ciphertext', rowId: binding.factorId };
}

export function sealPhoneNumber(dataProtection: DataProtection, db: DataDb, e164: string, binding: PhoneBinding): Promise<string> {
  if (!E164.test(e164)) throw new TypeError('sealPhoneNumber expects an E.164 number');
  return dataProtection.seal(db, binding.accountId, e164, phoneLocation(binding));
}

/** The number, or `undefined` when the stored value does not open (moved, tampered, the person erased). */
export async function openPhoneNumber(
  dataProtection: DataProtection,
  db: DataDb,
  sealed: string,
  binding: PhoneBinding,
): Promise<string | undefined> {
  try {
    const e164 = await dataProtection.open(db, binding.accountId, sealed, phoneLocation(binding));
    return E164.test(e164) ? e164 : undefined;
  } catch (error) {
    if (error instanceof SealedDataUnreadableError) return undefined;
    throw error;
  }
}

/** Blind index of an E.164 number (`mfa_phone_factors.phone_hash`, per-number send limits). */
export function phoneNumberHash(dataProtection: DataProtection, db: DataDb, e164: string): Promise<string> {
  return dataProtection.blindIndex(db, 'phone', e164);
}
