/**
 * @module modules/sessions/dpop/verify-proof
 *
 * The DPoP proof verifier (RFC 9449) that runs on every token request and every authenticated
 * request. `createDPoPVerifier(deps)` wires the checks in `checks/` into one fixed pipeline, read
 * top to bottom below; each step cites its section of RFC 9449 section 4.3. Failures become
 * `AUTH_DPOP_INVALID` or `AUTH_DPOP_NONCE_REQUIRED` with the `WWW-Authenticate` challenge and a
 * fresh `DPoP-Nonce`. No Fastify here: the sessions module calls `verify` from its hook, and
 * then `checkProofBinding` against the token's bound thumbprint.
 */
import type { Config } from '../../../config/schema.ts';
import type { KeyRing } from '../../../platform/crypto/key-ring.ts';
import type { PublicKeyCache } from '../../../platform/crypto/jwk.ts';
import { constantTimeEqual } from '../../../platform/crypto/hmac.ts';
import { DPoPCheckFailure, toDPoPAppError } from './failures.ts';
import { createDPoPNonces, type DPoPNonces } from './nonce.ts';
import type { ReplayCache } from './replay-cache.ts';
import { parseProof } from './checks/parse-proof.ts';
import { checkTyp } from './checks/check-typ.ts';
import { checkAlg } from './checks/check-alg.ts';
import { checkCrit } from './checks/check-crit.ts';
import { checkJwk } from './checks/check-jwk.ts';
import { checkSignature } from './checks/check-signature.ts';
import { decodeClaims } from './checks/decode-claims.ts';
import { checkJti } from './checks/check-jti.ts';
import { checkHtm } from './checks/check-htm.ts';
import { checkHtu } from './checks/check-htu.ts';
import { IAT_FUTURE_LEEWAY_SECONDS, checkIat } from './checks/check-iat.ts';
import { checkAth } from './checks/check-ath.ts';
import { checkNonce } from './checks/check-nonce.ts';
import { checkReplay } from './checks/check-replay.ts';

export type DPoPConfig = Pick<Config['sessions']['dpop'], 'proofMaxAgeSeconds' | 'nonce'>;

export interface DPoPVerifierDeps {
  /** `config.sessions.dpop`. */
  readonly config: DPoPConfig;
  /** Source of the `dpop-nonce` key (only used when nonces are enabled). */
  readonly keyRing: Pick<KeyRing, 'key'>;
  /** Remembers used proofs: memory for one instance, Redis for several. */
  readonly replayCache: ReplayCache;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Imported-key cache; defaults to the process-wide one in `platform/crypto/jwk`. */
  readonly keyCache?: PublicKeyCache;
}

/** What the proof is checked against. All of it comes from the server, none from the proof. */
export interface DPoPRequest {
  /** The request method as received (`request.method`). */
  readonly method: string;
  /** `buildHtu(config.publicUrl, request.url)`. */
  readonly htu: string;
  /** The access token presented with this request (`Authorization: DPoP <token>`), if any. */
  readonly accessToken?: string;
}

export interface VerifiedDPoPProof {
  /** RFC 7638 SHA-256 thumbprint of the proof key: compare with the token's bound `jkt`. */
  readonly jkt: string;
  readonly jti: string;
  /** Seconds since the epoch, as the client stated it. */
  readonly iat: number;
}

export interface DPoPVerifier {
  /**
   * Verifies the `DPoP` header of one request and marks the proof used.
   *
   * @param proof `request.headers.dpop` as is (undefined, a string, or an array when repeated).
   * @throws {AppError} `AUTH_DPOP_INVALID` (any failed check; `detail` names which),
   *   `AUTH_DPOP_NONCE_REQUIRED` (nonce missing or stale; headers carry a fresh `DPoP-Nonce`),
   *   `SERVICE_UNAVAILABLE` (the replay cache cannot answer).
   */
  readonly verify: (proof: string | readonly string[] | undefined, request: DPoPRequest) => Promise<VerifiedDPoPProof>;
  /** The nonce to send in `DPoP-Nonce` on any response, or undefined when nonces are disabled. */
  readonly currentNonce: () => string | undefined;
}

/**
 * @example
 *   const dpop = createDPoPVerifier({ config: config.sessions.dpop, keyRing, replayCache, now: Date.now });
 *   const proof = await dpop.verify(request.headers.dpop, {
 *     method: request.method,
 *     htu: buildHtu(config.publicUrl, request.url),
 *     accessToken,
 *   });
 *   checkProofBinding(proof, session.jkt);
 */
export function createDPoPVerifier(deps: DPoPVerifierDeps): DPoPVerifier {
  const { config, replayCache, now, keyCache } = deps;
  const { proofMaxAgeSeconds } = config;
  if (!Number.isInteger(proofMaxAgeSeconds) || proofMaxAgeSeconds < 1) {
    throw new TypeError('createDPoPVerifier: proofMaxAgeSeconds must be a positive integer');
  }
  const nonces: DPoPNonces | undefined = config.nonce.enabled
    ? createDPoPNonces({ keyRing: deps.keyRing, lifetimeSeconds: config.nonce.lifetimeSeconds, now })
    : undefined;
  // A proof is acceptable from iat - 5 s until iat + proofMaxAgeSeconds: remember it that long.
  const replayTtlSeconds = proofMaxAgeSeconds + IAT_FUTURE_LEEWAY_SECONDS;

  async function runChecks(value: string | readonly string[] | undefined, request: DPoPRequest): Promise<VerifiedDPoPProof> {
    const proof = parseProof(value); //                        §4.3 (1) one header, (2) well-formed JWS
    checkTyp(proof.header); //                                  §4.3 (4) typ dpop+jwt
    const alg = checkAlg(proof.header); //                      §4.3 (5) asymmetric, allow-listed alg
    checkCrit(proof.header); //                                 RFC 7515 §4.1.11 no unknown crit
    const jwk = checkJwk(proof.header, alg, keyCache); //       §4.3 (7) public key only, matches alg
    await checkSignature(proof, jwk); //                        §4.3 (6) signature under jwk
    const claims = decodeClaims(proof); //                      §4.2 claims (after the signature)
    const jti = checkJti(claims); //                            §4.2 jti
    checkHtm(claims, request.method); //                        §4.3 (8) htm
    checkHtu(claims, request.htu); //                           §4.3 (9) htu
    const iat = checkIat(claims, now(), proofMaxAgeSeconds); // §4.3 (11), §11.1 freshness
    checkAth(claims, request.accessToken); //                   §4.3 (12) ath
    checkNonce(claims, nonces); //                              §4.3 (10), §8 server nonce
    await checkReplay(replayCache, jwk.thumbprint, jti, replayTtlSeconds); // §11.1 once only; last
    return { jkt: jwk.thumbprint, jti, iat };
  }

  return {
    verify: async (value, request) => {
      try {
        return await runChecks(value, request);
      } catch (error) {
        if (error instanceof DPoPCheckFailure) throw toDPoPAppError(error.reason, nonces?.current(), request.htu);
        throw error;
      }
    },
    currentNonce: () => nonces?.current(),
  };
}

/**
 * RFC 9449 section 4.3 step 12 (second half) and section 6: the proof key is the key the token
 * (or refresh token) is bound to. Constant-time, although thumbprints are not secret, so the
 * comparison cannot become an oracle if that ever changes.
 *
 * @throws {AppError} `AUTH_DPOP_INVALID` with detail `key does not match token binding`.
 * @example
 *   checkProofBinding(proof, session.dpopJkt);
 */
export function checkProofBinding(proof: Pick<VerifiedDPoPProof, 'jkt'>, boundJkt: string): void {
  if (!constantTimeEqual(proof.jkt, boundJkt)) throw toDPoPAppError('key does not match token binding', undefined);
}
