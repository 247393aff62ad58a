/**
 * @module modules/federation/identity/verify-id-token
 *
 * Verifies an ID token (or any provider-signed JWT) against the provider's published keys.
 * Every check below has a test that fails when it is removed (federation.security.test.ts):
 *
 * 1. Signature with a key from the provider's JWKS, with an allowed asymmetric algorithm only —
 *    `none` and HMAC are refused, so a token cannot be "signed" with a public value
 *    (OIDC Core 3.1.3.7 steps 6–8; ASVS V6.8.2).
 * 2. `iss` exactly the configured issuer (step 2), `aud` one of the configured client ids and,
 *    when `azp` is present, `azp` one of them too (steps 3–5; ASVS V10.5.4).
 * 3. `exp` in the future and `iat` present, within the clock tolerance (steps 9–10); optionally
 *    `iat` not older than a maximum age.
 * 4. `nonce` equal, in constant time, to the expected value (step 11; ASVS V10.5.1).
 *
 * Failures are `FEDERATION_TOKEN_INVALID` with a machine reason in `detail` (for logs and audit;
 * the wire answer is the same whatever failed). An unreachable key set is
 * `FEDERATION_PROVIDER_UNAVAILABLE`, not an invalid token.
 */
import type * as Jose from 'jose';
import { constantTimeEqual } from '../../../platform/crypto/index.ts';
import { appError, type AppError } from '../../../platform/errors/app-error.ts';
import { loadJose } from '../libraries.ts';
import type { Provider } from '../providers/provider.ts';

export interface IdTokenExpectations {
  /** Accepted audiences; the token's `aud` must contain one, and `azp` (if any) must be one. */
  readonly audiences: readonly string[];
  /** The exact `nonce` claim value required, or `undefined` for JWTs that carry none (notifications). */
  readonly nonce: string | undefined;
  /** Refuse tokens issued longer ago than this, whatever their `exp`. */
  readonly maxAgeSeconds?: number | undefined;
  readonly now: number;
  readonly clockToleranceSeconds: number;
  /** Claims that must be present. Default `iss`, `aud`, `exp`, `iat`, `sub`. */
  readonly requiredClaims?: readonly string[];
}

/** Machine reasons, used as audit reasons and log details. */
export type TokenFailure =
  | 'malformed'
  | 'alg_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'bad_iss'
  | 'bad_aud'
  | 'bad_azp'
  | 'expired'
  | 'too_old'
  | 'not_yet_valid'
  | 'missing_claim'
  | 'bad_nonce'
  | 'replayed'
  | 'bad_code_subject';

/** No `cause`: jose's claim errors carry the token's claims (addresses, names), which must not reach a log. */
export function tokenInvalid(reason: TokenFailure): AppError {
  return appError('FEDERATION_TOKEN_INVALID', { detail: reason });
}

/** The failure reason carried by an error from this module (`detail`), for audit. */
export function tokenFailureOf(error: unknown): string {
  const detail = (error as { detail?: unknown }).detail;
  return typeof detail === 'string' && /^[a-z_]{1,40}$/.test(detail) ? detail : 'invalid';
}

function reasonOf({ errors }: typeof Jose, error: Jose.errors.JOSEError): TokenFailure | 'unavailable' {
  if (error instanceof errors.JWTExpired) return error.claim === 'iat' ? 'too_old' : 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'bad_iss';
    if (error.claim === 'aud') return 'bad_aud';
    if (error.reason === 'missing') return 'missing_claim';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not_yet_valid';
    return 'malformed';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'alg_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  // jose raises its base class only for key-set fetch problems (non-200, unparsable body).
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.constructor === errors.JOSEError)
    return 'unavailable';
  return 'malformed';
}

/**
 * @returns The verified claims.
 * @throws {AppError} FEDERATION_TOKEN_INVALID or FEDERATION_PROVIDER_UNAVAILABLE.
 */
export async function verifyProviderJwt(provider: Provider, token: string, expected: IdTokenExpectations): Promise<Jose.JWTPayload> {
  const keys = await provider.keys();
  const jose = await loadJose();
  let payload: Jose.JWTPayload;
  try {
    ({ payload } = await jose.jwtVerify(token, keys, {
      issuer: [...provider.issuers],
      audience: [...expected.audiences],
      algorithms: [...provider.settings.algorithms],
      currentDate: new Date(expected.now),
      clockTolerance: expected.clockToleranceSeconds,
      requiredClaims: [...(expected.requiredClaims ?? ['iss', 'aud', 'exp', 'iat', 'sub'])],
      ...(expected.maxAgeSeconds === undefined ? {} : { maxTokenAge: expected.maxAgeSeconds }),
    }));
  } catch (error) {
    if (!(error instanceof jose.errors.JOSEError)) {
      // The key set could not be fetched (network, TLS): the provider is down, not the token bad.
      throw appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `keys of ${provider.settings.id} unavailable`, cause: error });
    }
    const reason = reasonOf(jose, error);
    if (reason === 'unavailable')
      throw appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `keys of ${provider.settings.id} unavailable` });
    throw tokenInvalid(reason);
  }
  // OIDC Core 3.1.3.7 steps 4–5: a token for several audiences must say which party it was issued to.
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload['azp'] !== undefined) {
    if (typeof payload['azp'] !== 'string' || !expected.audiences.includes(payload['azp'])) throw tokenInvalid('bad_azp');
  } else if (audiences.length > 1) {
    throw tokenInvalid('bad_azp');
  }
  if (expected.nonce !== undefined) {
    const nonce = payload['nonce'];
    if (typeof nonce !== 'string' || !constantTimeEqual(nonce, expected.nonce)) throw tokenInvalid('bad_nonce');
  }
  return payload;
}
