/**
 * @module modules/records/body-cipher
 *
 * Seals the text of patient-file entries with the platform's AES-256-GCM sealer
 * (platform/crypto/aead.ts) under a key used for nothing else. The additional authenticated
 * data binds the ciphertext to its entry id and patient id, so a body copied into another row —
 * or another patient's file — does not open.
 */
import { createSealer, type KeyRing } from '../../platform/crypto/index.ts';

/** Never change: every stored body was sealed under the key derived from it. */
const HKDF_INFO = 'portcullis records entry-body aes-256-gcm v1';

export interface EntryBinding {
  readonly entryId: string;
  readonly patientAccountId: string;
}

export function sealEntryBody(keyRing: KeyRing, body: string, binding: EntryBinding): string {
  return createSealer(keyRing, HKDF_INFO).seal(new TextEncoder().encode(body), [binding.entryId, binding.patientAccountId]);
}

/** Throws `SealedDataUnreadableError` (never carrying data) when the body does not open for this row. */
export function openEntryBody(keyRing: KeyRing, sealed: string, binding: EntryBinding): string {
  return new TextDecoder().decode(createSealer(keyRing, HKDF_INFO).open(sealed, [binding.entryId, binding.patientAccountId]));
}
