/**
 * @module modules/federation/providers/provider-errors
 *
 * Maps what openid-client throws while talking to a provider onto the stable error codes: a
 * provider that refuses (`invalid_grant`, `access_denied`) is the person's or the flow's
 * problem (4xx); one that cannot be reached or answers nonsense is unavailable (503); a token
 * whose claims do not match is an invalid token. Anything else is a defect and stays a 500.
 */
import { AppError, appError } from '../../../platform/errors/app-error.ts';
import { loadOpenIdClient } from '../libraries.ts';

const UNAVAILABLE_CODES = new Set([
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_PARSE_ERROR',
]);
const TOKEN_CODES = new Set(['OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED']);

/** OAuth error codes are `[a-z_]`; anything else from a provider is not repeated in logs. */
function oauthCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : 'unrecognised';
}

function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'fetch failed';
}

export async function providerFailure(error: unknown, providerId: string): Promise<AppError> {
  if (error instanceof AppError) return error;
  const oidc = await loadOpenIdClient();
  if (error instanceof oidc.AuthorizationResponseError) {
    return error.error === 'access_denied'
      ? appError('FEDERATION_CANCELLED', { detail: `${providerId}: access_denied` })
      : appError('FEDERATION_AUTHORIZATION_FAILED', { detail: `${providerId} authorization error ${oauthCode(error.error)}` });
  }
  if (error instanceof oidc.ResponseBodyError) {
    return appError('FEDERATION_AUTHORIZATION_FAILED', { detail: `${providerId} token endpoint error ${oauthCode(error.error)}` });
  }
  if (error instanceof oidc.ClientError) {
    const code = error.code ?? '';
    if (TOKEN_CODES.has(code)) return appError('FEDERATION_TOKEN_INVALID', { detail: 'claims' });
    if (UNAVAILABLE_CODES.has(code) || isNetworkFailure(error.cause) || code === '') {
      return appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `${providerId} did not answer usably`, cause: error });
    }
    return appError('FEDERATION_AUTHORIZATION_FAILED', { detail: `${providerId} response refused (${oauthCode(code.toLowerCase())})` });
  }
  if (isNetworkFailure(error)) return appError('FEDERATION_PROVIDER_UNAVAILABLE', { detail: `${providerId} unreachable`, cause: error });
  throw error;
}
