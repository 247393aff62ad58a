/**
 * @module platform/signed-note/ed25519
 *
 * Ed25519 (RFC 8032) keys for checkpoint signatures. The private key is a 32-byte key-ring seed
 * (`audit-signing` for the audit log, `key-log-signing` for the key transparency log) used as the
 * RFC 8032 seed, so no key material is stored anywhere else; the public key is derived from it. Signatures are deterministic: the same checkpoint
 * body always gets the same signature.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const SEED_BYTES = 32;
/** DER prefix of a PKCS #8 Ed25519 private key (RFC 8410 section 7), followed by the 32-byte seed. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER prefix of an SPKI Ed25519 public key (RFC 8410 section 4), followed by the 32 raw bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface Ed25519Signer {
  /** The raw 32-byte public key. */
  readonly publicKey: Buffer;
  sign(message: Uint8Array): Buffer;
}

export function ed25519SignerFromSeed(seed: Uint8Array): Ed25519Signer {
  if (seed.length !== SEED_BYTES) throw new TypeError(`an Ed25519 seed has ${SEED_BYTES} bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    publicKey: spki.subarray(SPKI_PREFIX.length),
    sign: (message) => sign(null, message, privateKey),
  };
}

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== SEED_BYTES) throw new TypeError('an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function verifyEd25519(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    // A malformed signature is a failed verification, not an error.
    return false;
  }
}
