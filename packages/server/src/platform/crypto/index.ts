/**
 * @module platform/crypto
 *
 * Secrets, keyed hashes, randomness. The only part of the server that handles key material.
 */
export { KEY_PURPOSES, KeyRingError, completeKeyRingFile, generateKeyRingFile, keyRingFromFile, loadKeyRing } from './key-ring.ts';
export type { KeyPurpose, KeyRing } from './key-ring.ts';
export { SealedDataUnreadableError, createSealer } from './aead.ts';
export type { Sealer } from './aead.ts';
export { constantTimeEqual, hmacSha256 } from './hmac.ts';
export { sha256Base64Url } from './digest.ts';
export { randomBase64Url, randomDigits } from './random.ts';
