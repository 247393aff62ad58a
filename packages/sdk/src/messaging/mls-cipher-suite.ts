/**
 * @module messaging/mls-cipher-suite
 *
 * The cryptography behind MLS cipher suite 1 (`MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519`) as
 * the SDK runs it: `ts-mls`'s pure-JavaScript provider (SHA-256, HMAC and AES-128-GCM from
 * `@noble`, HPKE from `@hpke/core`) with two changes that halve the cost of a message:
 *
 * - HKDF runs synchronously (`@noble/hashes`) instead of through `crypto.subtle`, which costs a
 *   round trip to a worker thread for every one of the dozen expansions a message needs;
 * - Ed25519 runs on `crypto.subtle` (native), with each key imported once and kept (a bounded
 *   cache) instead of re-imported for every signature. Where `crypto.subtle` has no Ed25519 (an
 *   old engine without a polyfill) it falls back to `@noble/curves`, slower but the same results.
 *
 * The algorithms are exactly the suite's; the official MLS test vectors run through this provider
 * (mls-vectors.test.ts). Internal.
 */
import { extract, expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { getCiphersuiteFromName, nobleCryptoProvider, type CiphersuiteImpl } from 'ts-mls';

export const MLS_CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

/** Imported keys kept per direction; a device talks to far fewer signers than this. */
const MAX_CACHED_KEYS = 512;

/** PKCS #8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410), the form WebCrypto imports. */
function ed25519Pkcs8(seed: Uint8Array): Uint8Array {
  const prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const der = new Uint8Array(prefix.length + seed.length);
  der.set(prefix);
  der.set(seed, prefix.length);
  return der;
}

function cacheKey(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/** A Map that forgets its oldest entry beyond `max`. */
class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }
  set(key: string, value: V): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
}

function asBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

async function subtleEd25519Available(subtle: SubtleCrypto | undefined): Promise<boolean> {
  if (subtle === undefined) return false;
  try {
    await subtle.generateKey('Ed25519', false, ['sign', 'verify']);
    return true;
  } catch {
    return false;
  }
}

function webCryptoEd25519(subtle: SubtleCrypto, fallback: CiphersuiteImpl['signature']): CiphersuiteImpl['signature'] {
  const signing = new BoundedCache<Promise<CryptoKey>>(MAX_CACHED_KEYS);
  const verifying = new BoundedCache<Promise<CryptoKey>>(MAX_CACHED_KEYS);
  const signingKey = (signKey: Uint8Array): Promise<CryptoKey> => {
    const id = cacheKey(signKey);
    let key = signing.get(id);
    if (!key) {
      const der = signKey.length === 32 ? ed25519Pkcs8(signKey) : signKey;
      key = subtle.importKey('pkcs8', asBuffer(der), 'Ed25519', false, ['sign']);
      signing.set(id, key);
    }
    return key;
  };
  const verifyingKey = (publicKey: Uint8Array): Promise<CryptoKey> => {
    const id = cacheKey(publicKey);
    let key = verifying.get(id);
    if (!key) {
      key = subtle.importKey('raw', asBuffer(publicKey), 'Ed25519', false, ['verify']);
      verifying.set(id, key);
    }
    return key;
  };
  return {
    async sign(signKey, message) {
      return new Uint8Array(await subtle.sign('Ed25519', await signingKey(signKey), asBuffer(message)));
    },
    async verify(publicKey, message, signature) {
      // A malformed public key is a failed verification, not an exception.
      const key = await verifyingKey(publicKey).catch(() => undefined);
      if (key === undefined) return false;
      return subtle.verify('Ed25519', key, asBuffer(signature), asBuffer(message));
    },
    keygen: () => fallback.keygen(),
  };
}

/**
 * What the platform must provide, checked up front so a missing piece fails when the engine
 * starts, with its name, rather than in the middle of a conversation: random numbers and X25519
 * (HPKE, through `@hpke/core`) from WebCrypto. React Native has neither without a polyfill
 * (docs/security/messaging.md).
 */
async function assertPlatformCrypto(subtle: SubtleCrypto | undefined): Promise<void> {
  if (typeof (globalThis.crypto as Crypto | undefined)?.getRandomValues !== 'function') {
    throw new TypeError('End-to-end encryption needs crypto.getRandomValues; on React Native install react-native-quick-crypto');
  }
  try {
    if (subtle === undefined) throw new TypeError('no crypto.subtle');
    await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  } catch (cause) {
    throw new TypeError('End-to-end encryption needs X25519 in crypto.subtle; on React Native install react-native-quick-crypto', {
      cause,
    });
  }
}

/** Cipher suite 1 for the engine. */
export async function createMlsCipherSuite(): Promise<CiphersuiteImpl> {
  const subtle = (globalThis.crypto as Crypto | undefined)?.subtle;
  await assertPlatformCrypto(subtle);
  const base = await nobleCryptoProvider.getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHER_SUITE));
  const signature =
    subtle !== undefined && (await subtleEd25519Available(subtle)) ? webCryptoEd25519(subtle, base.signature) : base.signature;
  return {
    ...base,
    kdf: {
      size: base.kdf.size,
      extract: (salt, ikm) => Promise.resolve(extract(sha256, ikm, salt)),
      expand: (prk, info, length) => Promise.resolve(expand(sha256, prk, info, length)),
    },
    signature,
  };
}
