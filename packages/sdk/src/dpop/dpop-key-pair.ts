/**
 * @module dpop/dpop-key-pair
 *
 * What a usable DPoP key pair is (ECDSA P-256, a private key allowed to sign) and how its
 * public half is exported for the proof header. Owns the shape checks and the cache of exported
 * public JWKs; never exports or touches private key material. Internal.
 */
import { ClientError } from '../errors.ts';
import { subtleCrypto } from '../lib/webcrypto.ts';

/** The public members of an ES256 DPoP key, as they appear in the proof's `jwk` header. */
export interface DpopPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/** WebCrypto parameters of DPoP keys: ES256 (RFC 7518 §3.4) is ECDSA on P-256 with SHA-256. */
export const DPOP_KEY_ALGORITHM: EcKeyGenParams = Object.freeze({ name: 'ECDSA', namedCurve: 'P-256' });

function isCryptoKeyLike(value: unknown): value is CryptoKey {
  return typeof value === 'object' && value !== null && 'type' in value && 'algorithm' in value && 'usages' in value;
}

function isEs256Key(key: CryptoKey): boolean {
  const algorithm = key.algorithm as Partial<EcKeyAlgorithm>;
  return algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256';
}

/**
 * Throws `TypeError` unless `value` is an ES256 key pair whose private key may sign. Duck-typed
 * (no `instanceof CryptoKey`) because React Native WebCrypto implementations bring their own
 * classes.
 */
export function assertDpopKeyPair(value: unknown, name: string): asserts value is CryptoKeyPair {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name} must be a CryptoKeyPair`);
  const { privateKey, publicKey } = value as Partial<CryptoKeyPair>;
  if (!isCryptoKeyLike(privateKey) || !isCryptoKeyLike(publicKey)) throw new TypeError(`${name} must be a CryptoKeyPair`);
  if (privateKey.type !== 'private' || publicKey.type !== 'public') {
    throw new TypeError(`${name} must hold a private and a public key`);
  }
  if (!isEs256Key(privateKey) || !isEs256Key(publicKey)) throw new TypeError(`${name} must be an ECDSA P-256 (ES256) key pair`);
  if (!privateKey.usages.includes('sign')) throw new TypeError(`${name}.privateKey must allow the "sign" usage`);
}

const publicJwks = new WeakMap<CryptoKey, DpopPublicJwk>();

/**
 * The public JWK of a DPoP key pair with only the members RFC 9449 §4.2 allows in the header
 * (`kty`, `crv`, `x`, `y`): never `d`, `key_ops` or `ext`. Exported once per key and cached.
 */
export async function publicJwkOf(key: CryptoKeyPair): Promise<DpopPublicJwk> {
  const cached = publicJwks.get(key.publicKey);
  if (cached !== undefined) return cached;
  let jwk: JsonWebKey;
  try {
    jwk = await subtleCrypto().exportKey('jwk', key.publicKey);
  } catch (cause) {
    if (cause instanceof ClientError) throw cause;
    throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The public half of the DPoP key could not be exported', { cause });
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new ClientError('DPOP_KEY_UNAVAILABLE', 'WebCrypto exported a public key that is not an EC P-256 JWK');
  }
  const publicJwk: DpopPublicJwk = Object.freeze({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
  publicJwks.set(key.publicKey, publicJwk);
  return publicJwk;
}
