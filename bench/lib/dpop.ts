/**
 * @module bench/lib/dpop
 *
 * The load generator's side of DPoP (RFC 9449): an ES256 key per simulated device, proofs
 * signed per request (compact JWS, `typ` dpop+jwt, public `jwk` in the header, a fresh `jti`,
 * `htm`, `htu`, `iat`, `ath` for resource requests and the server's nonce), and the nonce
 * discovery a client performs (RFC 9449 section 8: a 401 carrying `DPoP-Nonce`, retried once).
 * A proof factory precomputes everything that is the same for every request, so the
 * per-request cost is one random id, one small JSON document and one ECDSA signature; its rate
 * can be measured, to show that signing does not limit the load generator.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** An ES256 (P-256) key pair and its public JWK, as a mobile client's device key. */
export interface DPoPKey {
  readonly privateKey: KeyObject;
  /** Public members only: `kty`, `crv`, `x`, `y`. */
  readonly publicJwk: Readonly<Record<'kty' | 'crv' | 'x' | 'y', string>>;
}

/** What one request's proof is bound to. */
export interface ProofTarget {
  /** HTTP method, e.g. `GET`. */
  readonly htm: string;
  /** The server's public URL plus the path, without query (RFC 9449 section 4.2). */
  readonly htu: string;
  /** For resource requests: the access token sent as `Authorization: DPoP <token>` (`ath`). */
  readonly accessToken?: string;
  /** The server's current `DPoP-Nonce`, when it demands one. */
  readonly nonce?: string;
}

/** Returns a freshly signed proof (new `jti`, current `iat`) on every call. */
export type ProofFactory = () => string;

export function generateDPoPKey(): DPoPKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty = '', crv = '', x = '', y = '' } = privateKey.export({ format: 'jwk' });
  return { privateKey, publicJwk: { kty, crv, x, y } };
}

/**
 * The key as text (its private JWK), so a benchmark target that made a device known to the
 * server can hand the very key to the runner. Bench-only: real devices never export their key.
 */
export function exportDPoPKey(key: DPoPKey): string {
  return JSON.stringify(key.privateKey.export({ format: 'jwk' }));
}

export function importDPoPKey(text: string): DPoPKey {
  const privateKey = createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' });
  const { kty = '', crv = '', x = '', y = '' } = privateKey.export({ format: 'jwk' });
  if (kty !== 'EC' || crv !== 'P-256') throw new TypeError('not a P-256 device key');
  return { privateKey, publicJwk: { kty, crv, x, y } };
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** `ath`: base64url SHA-256 of the access token (RFC 9449 section 4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

export function proofFactory(key: DPoPKey, target: ProofTarget): ProofFactory {
  const header = base64UrlJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
  const fixed = {
    htm: target.htm,
    htu: target.htu,
    ...(target.accessToken === undefined ? {} : { ath: accessTokenHash(target.accessToken) }),
    ...(target.nonce === undefined ? {} : { nonce: target.nonce }),
  };
  return () => {
    const claims = { jti: randomUUID(), ...fixed, iat: Math.floor(Date.now() / 1000) };
    const signingInput = `${header}.${base64UrlJson(claims)}`;
    // JWS ES256 signatures are the raw r‖s pair (IEEE P1363), not DER.
    const signature = sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${signature.toString('base64url')}`;
  };
}

/**
 * Proofs the server will accept for a while, signed before the load starts: `count` calls of
 * `next`, handed out in order, then freshly signed ones. A device signs its own proofs, so on a
 * real deployment signing costs the server's machine nothing; signing them during the run
 * would take CPU from the server on this machine (both share its cores).
 */
export function presignedProofs(next: ProofFactory, count: number): ProofFactory {
  const pool: (string | undefined)[] = Array.from({ length: count }, () => next());
  let served = 0;
  return () => {
    if (served >= pool.length) return next();
    const proof = pool[served] as string;
    pool[served++] = undefined; // let the collector take what was sent
    return proof;
  };
}

/** The server's nonce from a response, if it sent one. */
export function nonceOf(response: Response): string | undefined {
  return response.headers.get('dpop-nonce') ?? undefined;
}

/**
 * Sends a DPoP-protected request the way a client does: with the nonce it knows (none at
 * first); if the server answers 401 with a `DPoP-Nonce`, once more with that nonce. Returns
 * the final response and the nonce to use from now on.
 */
export async function sendWithNonce(
  send: (nonce: string | undefined) => Promise<Response>,
  knownNonce?: string,
): Promise<{ response: Response; nonce: string | undefined }> {
  let response = await send(knownNonce);
  let nonce = nonceOf(response) ?? knownNonce;
  if (response.status === 401 && nonce !== undefined && nonce !== knownNonce) {
    await response.body?.cancel();
    response = await send(nonce);
    nonce = nonceOf(response) ?? nonce;
  }
  return { response, nonce };
}

/**
 * Signing capacity of this process on one core: the fastest of `batches` batches of `perBatch`
 * proofs. A capacity is what the generator can do when nothing disturbs it, so the fastest
 * batch is the right estimate here (unlike for the measured sides, where the median is used).
 */
export function measureProofRate(batches = 5, perBatch = 1000): { microsPerProof: number; proofsPerSecond: number } {
  const next = proofFactory(generateDPoPKey(), {
    htm: 'GET',
    htu: 'https://calibration.invalid/x',
    accessToken: 'calibration',
    nonce: 'calibration-nonce-0000',
  });
  for (let i = 0; i < 200; i += 1) next(); // warm the JIT and OpenSSL's key setup
  let fastestMs = Number.POSITIVE_INFINITY;
  for (let batch = 0; batch < batches; batch += 1) {
    const started = performance.now();
    for (let i = 0; i < perBatch; i += 1) next();
    fastestMs = Math.min(fastestMs, performance.now() - started);
  }
  const microsPerProof = (fastestMs * 1000) / perBatch;
  return { microsPerProof, proofsPerSecond: 1e6 / microsPerProof };
}
