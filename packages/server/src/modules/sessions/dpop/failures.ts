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
 * The wire form of a failure. `freshNonce` (when nonces are enabled) is sent in `DPoP-Nonce` on
 * every refusal, so a client can recover with one retry whatever went wrong (RFC 9449 section 8.2).
 */
export function toDPoPAppError(reason: DPoPFailureReason, freshNonce: string | undefined): AppError {
  const nonceReason = NONCE_REASONS.has(reason);
  const headers: Record<string, string> = { 'www-authenticate': nonceReason ? USE_NONCE_CHALLENGE : INVALID_PROOF_CHALLENGE };
  if (freshNonce !== undefined) headers[DPOP_NONCE_HEADER] = freshNonce;
  return appError(nonceReason ? 'AUTH_DPOP_NONCE_REQUIRED' : 'AUTH_DPOP_INVALID', { detail: reason, headers });
}
