/**
 * @module http/error-from-response
 *
 * Turns a failed response into the error the caller sees: an {@link ApiError} when the body is
 * a Portcullis problem (RFC 9457 with a registered `code`), otherwise a {@link ClientError}
 * `INVALID_RESPONSE` carrying the status (a proxy's HTML 502, a code this SDK version does not
 * know). An RFC 9470 "insufficient_user_authentication" answer becomes an
 * `InsufficientAuthenticationError`. Never copies the response body into a message. Internal.
 */
import type { AuthChallenge, ValidationIssue } from '@portcullis/protocol';
import { ApiError, ClientError } from '../errors.ts';
import { isErrorCode } from '../generated/error-codes.ts';
import { insufficientAuthenticationOf } from '../insufficient-authentication.ts';
import { isAuthChallengeMethod } from '../lib/wire-constants.ts';
import { isRecord, readJson } from './read-json.ts';

function issuesOf(value: unknown): ValidationIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const issues: ValidationIssue[] = [];
  for (const item of value) {
    if (isRecord(item) && typeof item['pointer'] === 'string' && typeof item['reason'] === 'string') {
      issues.push({ pointer: item['pointer'], reason: item['reason'] });
    }
  }
  return issues;
}

/**
 * The problem's `challenge`, when it is well formed; anything else is ignored. Only a sign-in
 * challenge (`MFA_REQUIRED`) may be `aal1`: one that confirms a new device; a step-up never is.
 */
function challengeOf(value: unknown, code: unknown): AuthChallenge | undefined {
  if (!isRecord(value)) return undefined;
  const { token, methods, level, reason, expiresIn } = value;
  const levelKnown = level === 'aal2' || level === 'aal2_phr' || (level === 'aal1' && code === 'MFA_REQUIRED');
  if (typeof token !== 'string' || typeof expiresIn !== 'number' || !levelKnown) return undefined;
  if (!Array.isArray(methods) || !methods.every(isAuthChallengeMethod)) return undefined;
  // An unknown reason (a newer server) is dropped rather than the whole challenge.
  const known = reason === 'second_factor' || reason === 'new_device' || reason === 'attack_mode' ? reason : undefined;
  return { token, methods, level, expiresIn, ...(known === undefined ? {} : { reason: known }) };
}

/** `Retry-After` in seconds (the delta-seconds form; Portcullis never sends the date form). */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  return value !== null && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/**
 * The error for a non-success `response` to the request described by `context`
 * (`'POST /v1/sessions'`, used in messages; must not contain secrets). Consumes the body.
 */
export async function errorFromResponse(response: Response, context: string): Promise<ApiError | ClientError> {
  const body = await readJson(response);
  const insufficient = insufficientAuthenticationOf(response, body);
  if (insufficient !== undefined) return insufficient;
  if (isRecord(body) && isErrorCode(body['code'])) {
    return new ApiError({
      code: body['code'],
      status: response.status,
      requestId: typeof body['requestId'] === 'string' ? body['requestId'] : '',
      title: typeof body['title'] === 'string' ? body['title'] : undefined,
      detail: typeof body['detail'] === 'string' ? body['detail'] : undefined,
      issues: issuesOf(body['errors']),
      retryAfterSeconds: retryAfterOf(response),
      challenge: challengeOf(body['challenge'], body['code']),
    });
  }
  return new ClientError('INVALID_RESPONSE', `Unexpected ${response.status} answer to ${context}`, { status: response.status });
}
