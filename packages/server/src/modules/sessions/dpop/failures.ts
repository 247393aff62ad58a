/**
 * @module modules/sessions/dpop/failures
 *
 * The fixed set of reasons a DPoP proof is refused, and the one place they become `AppError`s
 * with the RFC 9449 response headers. Checks throw `DPoPCheckFailure` with a reason from the
 * list; a reason is a literal, so no check can interpolate the proof, the token or a claim into
 * the log `detail` (ARCHITECTURE "Error model" 6).
 */
import { DPOP_ALGORITHMS, DPOP_NONCE_HEADER } from '@portcullis/protocol';
import { appError, type AppError } from '../../../platform/errors/app-error.ts';

/** Reasons answered with `AUTH_DPOP_INVALID` (RFC 9449 section 7.1 `invalid_dpop_proof`). */
export const DPOP_INVALID_REASONS = [
  'proof missing',
  'more than one proof',
  'proof too large',
  'proof is not a compact JWS',
  'header is not a JSON object',
  'typ is not dpop+jwt',
  'alg not allowed',
  'crit not supported',
  'jwk missing',
  'jwk contains a private key',
  'jwk key type not supported',
  'jwk malformed',
  'jwk does not match alg',
  'signature invalid',
  'payload is not a JSON object',
  'jti invalid',
  'htm mismatch',
  'htu mismatch',
  'iat missing',
  'iat too old',
  'iat in the future',
  'ath missing',
  'ath mismatch',
  'ath without access token',
  'nonce malformed',
  'jti replayed',
  'key does not match token binding',
] as const;

/** Reasons answered with `AUTH_DPOP_NONCE_REQUIRED` (RFC 9449 section 8 `use_dpop_nonce`). */
export const DPOP_NONCE_REASONS = ['nonce missing', 'nonce stale or unknown'] as const;

export type DPoPInvalidReason = (typeof DPOP_INVALID_REASONS)[number];
export type DPoPNonceReason = (typeof DPOP_NONCE_REASONS)[number];
export type DPoPFailureReason = DPoPInvalidReason | DPoPNonceReason;

/** Thrown by a check; turned into an `AppError` by `toDPoPAppError`. Never leaves this folder. */
export class DPoPCheckFailure extends Error {
  override readonly name = 'DPoPCheckFailure';
  constructor(readonly reason: DPoPFailureReason) {
    super(reason);
  }
}

/** Stops the pipeline with `reason`. */
export function fail(reason: DPoPFailureReason): never {
  throw new DPoPCheckFailure(reason);
}

const ALGS = DPOP_ALGORITHMS.join(' ');
/** RFC 9449 section 7.1: the challenge names the error and the algorithms the server accepts. */
export const INVALID_PROOF_CHALLENGE = `DPoP error="invalid_dpop_proof", algs="${ALGS}"`;
/** RFC 9449 section 9: `use_dpop_nonce` tells the client to retry with the `DPoP-Nonce` value. */
export const USE_NONCE_CHALLENGE = `DPoP error="use_dpop_nonce", algs="${ALGS}"`;

const NONCE_REASONS: ReadonlySet<DPoPFailureReason> = new Set(DPOP_NONCE_REASONS);

/**
 * What a client that names the wrong URL needs to hear: the origin its proofs must name. A
 * client that follows the address a server binds to (`https://127.0.0.1:8443`) rather than its
 * public URL (`https://localhost:8443`) otherwise gets a refusal with no hint why. Only the
 * configured public origin is told, which every client may know; the path comes from the
 * request and is not echoed.
 */
export function htuMismatchExplanation(expectedHtu: string): string {
  return `DPoP proofs must name this server's public URL, ${new URL(expectedHtu).origin}, followed by the request path (htu).`;
}

/**
 * The wire form of a failure. `freshNonce` (when nonces are enabled) is sent in `DPoP-Nonce` on
 * every refusal, so a client can recover with one retry whatever went wrong (RFC 9449 section 8.2).
 * `expectedHtu` (what the proof should have named) turns an `htu mismatch` into a public hint.
 */
export function toDPoPAppError(reason: DPoPFailureReason, freshNonce: string | undefined, expectedHtu?: string): AppError {
  const nonceReason = NONCE_REASONS.has(reason);
  const headers: Record<string, string> = { 'www-authenticate': nonceReason ? USE_NONCE_CHALLENGE : INVALID_PROOF_CHALLENGE };
  if (freshNonce !== undefined) headers[DPOP_NONCE_HEADER] = freshNonce;
  const publicDetail = reason === 'htu mismatch' && expectedHtu !== undefined ? htuMismatchExplanation(expectedHtu) : undefined;
  return appError(nonceReason ? 'AUTH_DPOP_NONCE_REQUIRED' : 'AUTH_DPOP_INVALID', {
    detail: reason,
    headers,
    ...(publicDetail === undefined ? {} : { publicDetail }),
  });
}
