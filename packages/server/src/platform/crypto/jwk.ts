/**
 * @module platform/crypto/jwk
 *
 * Public JSON Web Keys (RFC 7517) as used by DPoP proofs: strict parsing of an untrusted public
 * JWK into a `node:crypto` KeyObject (EC P-256 for ES256, OKP Ed25519 for EdDSA, RFC 8037), the
 * RFC 7638 thumbprint, and JWS signature verification for those two algorithms. It refuses
 * every private member and every key type or curve it does not support; it never signs, never
 * fetches keys (`jku`, `x5u`) and never holds a secret. Parsed keys are kept in a bounded LRU
 * keyed by thumbprint because a client presents the same key on every request and importing a
 * key costs about as much as verifying a signature.
 */
import { createPublicKey, hash, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';

/** JWS algorithms this module verifies. Anything else (`none`, HS*, RS*, PS*, ES384…) is refused. */
export type JwsAlgorithm = 'ES256' | 'EdDSA';

export interface EcPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

export interface OkpPublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
}

/** A validated public key, reduced to the members that define it. */
export type PublicJwk = EcPublicJwk | OkpPublicJwk;

/** The required members of an RSA public key; thumbprints only (RFC 7638 section 3.1 vector). */
export interface RsaPublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
}

export interface ImportedJwk {
  readonly jwk: PublicJwk;
  /** RFC 7638 SHA-256 thumbprint, base64url: the `jkt` a DPoP-bound token carries. */
  readonly thumbprint: string;
  readonly key: KeyObject;
  /** The one JWS algorithm this key may verify. */
  readonly alg: JwsAlgorithm;
}

/** Why an untrusted JWK was refused. Messages are fixed strings and never include key material. */
export type JwkErrorReason = 'not-an-object' | 'private-key' | 'unsupported-key-type' | 'malformed';

export class JwkError extends Error {
  override readonly name = 'JwkError';
  constructor(readonly reason: JwkErrorReason) {
    super(`JWK refused: ${reason}`);
  }
}

/**
 * Members that only a private or symmetric key has (RFC 7518 section 6.2.2 `d`, 6.3.2 RSA
 * `d p q dp dq qi oth`, 6.4.1 `k`; RFC 8037 section 2 `d`). A JWK that carries any of them is
 * refused even if the public part is valid: a client that publishes its private key in a header
 * is broken, and accepting it would hide that (RFC 9449 section 4.3 step 7).
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** 32 bytes as unpadded base64url is 43 characters; the last one carries 2 padding bits. */
const COORDINATE_32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Required members per key type, already in lexicographic order (RFC 7638 section 3.2). */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * SHA-256 of `data` (a string is hashed as UTF-8), as unpadded base64url. One-shot `hash()`
 * (Node >= 20.12) is about 2.5x faster than `createHash()` for inputs this small; it runs twice
 * per request (thumbprint, `ath`).
 */
export function sha256Base64Url(data: string | Buffer): string {
  return hash('sha256', data, 'base64url');
}

/**
 * RFC 7638 JWK thumbprint with SHA-256: the hash of the JSON object holding only the required
 * members, in lexicographic order, without whitespace (section 3.2). Required members: EC `crv
 * kty x y` (section 3.2), OKP `crv kty x` (RFC 8037 section 2), RSA `e kty n` (section 3.2).
 *
 * @example
 *   jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 *   // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 appendix A.3)
 */
export function jwkThumbprint(jwk: PublicJwk | RsaPublicJwk): string {
  const members = jwk as unknown as Record<string, unknown>;
  const required = REQUIRED_MEMBERS[jwk.kty];
  if (required === undefined) throw new TypeError('jwkThumbprint: unsupported kty');
  const parts: string[] = [];
  for (const name of required) {
    const value = members[name];
    if (typeof value !== 'string') throw new TypeError(`jwkThumbprint: member ${name} must be a string`);
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return sha256Base64Url(`{${parts.join(',')}}`);
}

/**
 * A bounded least-recently-used map from thumbprint to imported key. Anyone can mint a fresh key
 * per request, so an attacker can churn it; the worst case is the uncached import cost, never a
 * wrong key, because the thumbprint is a collision-resistant name for exactly the members the key
 * was built from.
 */
export class PublicKeyCache {
  readonly #entries = new Map<string, KeyObject>();
  readonly #maxEntries: number;

  constructor(maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('PublicKeyCache: maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(thumbprint: string): KeyObject | undefined {
    const key = this.#entries.get(thumbprint);
    if (key !== undefined) {
      // Map iteration order is insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(thumbprint);
      this.#entries.set(thumbprint, key);
    }
    return key;
  }

  set(thumbprint: string, key: KeyObject): void {
    this.#entries.delete(thumbprint);
    this.#entries.set(thumbprint, key);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}

const defaultKeyCache = new PublicKeyCache();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A canonical unpadded base64url encoding of exactly 32 bytes (one encoding per value). */
function isCoordinate32(value: unknown): value is string {
  return typeof value === 'string' && COORDINATE_32.test(value);
}

/**
 * Validates an untrusted public JWK and reduces it to its defining members. Extra public members
 * (`kid`, `alg`, `use`, `x5c`…) are ignored: they neither change the key nor are ever acted upon.
 *
 * @throws {JwkError} for anything but a well-formed EC P-256 or OKP Ed25519 public key.
 */
export function parsePublicJwk(input: unknown): PublicJwk {
  if (!isRecord(input)) throw new JwkError('not-an-object');
  for (const member of PRIVATE_MEMBERS) {
    if (Object.hasOwn(input, member)) throw new JwkError('private-key');
  }
  const { kty, crv, x, y } = input;
  if (kty === 'EC') {
    // RFC 7518 section 6.2.1: P-256 coordinates are exactly 32 bytes, full length even with leading zeros.
    if (crv !== 'P-256') throw new JwkError('unsupported-key-type');
    if (!isCoordinate32(x) || !isCoordinate32(y)) throw new JwkError('malformed');
    return { kty, crv, x, y };
  }
  if (kty === 'OKP') {
    // RFC 8037 section 2: Ed25519 public key is 32 bytes; `y` is not defined for OKP keys.
    if (crv !== 'Ed25519') throw new JwkError('unsupported-key-type');
    if (!isCoordinate32(x) || y !== undefined) throw new JwkError('malformed');
    return { kty, crv, x };
  }
  throw new JwkError('unsupported-key-type');
}

/** The algorithm a validated key verifies: a key is never usable with two algorithms. */
export function jwsAlgorithmFor(jwk: PublicJwk): JwsAlgorithm {
  return jwk.kty === 'EC' ? 'ES256' : 'EdDSA';
}

/**
 * Parses an untrusted public JWK (see `parsePublicJwk`), computes its thumbprint and returns the
 * KeyObject, from `cache` when the same key was imported before. The KeyObject is built from the
 * validated members only; OpenSSL refuses an EC point that is not on the curve.
 *
 * @param options.cache Defaults to a process-wide cache of 10,000 keys.
 * @throws {JwkError}
 * @example
 *   const { key, thumbprint, alg } = importPublicJwk(header.jwk);
 */
export function importPublicJwk(input: unknown, options: { readonly cache?: PublicKeyCache } = {}): ImportedJwk {
  const jwk = parsePublicJwk(input);
  const thumbprint = jwkThumbprint(jwk);
  const cache = options.cache ?? defaultKeyCache;
  let key = cache.get(thumbprint);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    } catch {
      throw new JwkError('malformed');
    }
    cache.set(thumbprint, key);
  }
  return { jwk, thumbprint, key, alg: jwsAlgorithmFor(jwk) };
}

/** Signature length for each algorithm: ES256 is IEEE P1363 r||s (RFC 7518 section 3.4), EdDSA is 64 bytes (RFC 8032). */
const SIGNATURE_BYTES: Readonly<Record<JwsAlgorithm, number>> = { ES256: 64, EdDSA: 64 };

/**
 * Verifies a JWS signature (RFC 7515 section 5.2 step 8) over `signingInput`
 * (`BASE64URL(header).BASE64URL(payload)` as ASCII). Resolves false, never rejects, for a
 * signature of the wrong length or a key of the wrong type for `alg`.
 *
 * The verification runs on the libuv thread pool (the callback form of `crypto.verify`), not on
 * the event loop: it is the most expensive step of every authenticated request (≈70 µs for
 * ES256), and off the loop it runs in parallel with other requests on the other cores.
 *
 * @example
 *   await verifyJwsSignature('ES256', key, `${parts[0]}.${parts[1]}`, Buffer.from(parts[2], 'base64url'));
 */
export function verifyJwsSignature(alg: JwsAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): Promise<boolean> {
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'utf8') : signingInput;
  switch (alg) {
    case 'ES256':
      if (signature.length !== SIGNATURE_BYTES.ES256) return Promise.resolve(false);
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return Promise.resolve(false);
      return verifyOffLoop('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      if (signature.length !== SIGNATURE_BYTES.EdDSA) return Promise.resolve(false);
      if (key.asymmetricKeyType !== 'ed25519') return Promise.resolve(false);
      return verifyOffLoop(null, data, key, signature);
    default:
      throw new TypeError('verifyJwsSignature: unsupported algorithm');
  }
}

function verifyOffLoop(algorithm: string | null, data: Buffer, key: VerifyKeyObjectInput | KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    verify(algorithm, data, key, signature, (error, valid) => {
      resolve(error === null && valid);
    });
  });
}
