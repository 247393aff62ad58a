/**
 * The SDK's error model: problem bodies become `ApiError` with the registry code, everything
 * else that is not a success becomes `ClientError` `INVALID_RESPONSE`, and the type guards narrow.
 */
import { ERRORS, PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ApiError, CLIENT_ERROR_CODES, ClientError, isApiError, isClientError, type ClientErrorCode } from './errors.ts';
import { errorFromResponse } from './http/error-from-response.ts';

function problemResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`, ...headers } });
}

describe('ApiError', () => {
  it('is built from a problem body: code, status, requestId, title, detail and issues', async () => {
    const error = await errorFromResponse(
      problemResponse(
        {
          type: 'https://portcullis.dev/errors#password-policy-violation',
          title: 'The password does not meet the password policy',
          status: 400,
          code: 'PASSWORD_POLICY_VIOLATION',
          requestId: 'req_42',
          detail: 'Choose a longer password',
          errors: [{ pointer: '/body/newPassword', reason: 'too short' }, { bogus: true }],
        },
        400,
      ),
      'POST /v1/accounts/password',
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      name: 'ApiError',
      code: 'PASSWORD_POLICY_VIOLATION',
      status: 400,
      requestId: 'req_42',
      message: 'The password does not meet the password policy',
      detail: 'Choose a longer password',
      issues: [{ pointer: '/body/newPassword', reason: 'too short' }],
    });
  });

  it('falls back to the code as its message (the registry’s messages stay out of the SDK) and reads Retry-After', async () => {
    const error = await errorFromResponse(problemResponse({ code: 'RATE_LIMITED', requestId: 'r' }, 429, { 'retry-after': '17' }), 'x');
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: 'RATE_LIMITED', retryAfterSeconds: 17 });
  });

  it('knows every code of the registry, and nothing else', async () => {
    for (const code of Object.keys(ERRORS)) {
      expect(await errorFromResponse(problemResponse({ code, requestId: 'r' }, 400), 'x')).toBeInstanceOf(ApiError);
    }
    expect(await errorFromResponse(problemResponse({ code: 'toString', requestId: 'r' }, 400), 'x')).toBeInstanceOf(ClientError);
  });

  it('is INVALID_RESPONSE when the code is not in this SDK version’s registry', async () => {
    const error = await errorFromResponse(
      problemResponse({ code: 'SOMETHING_NEW', requestId: 'r', title: 't', status: 400 }, 400),
      'GET /x',
    );
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', status: 400 });
  });

  it('is INVALID_RESPONSE for a non-JSON error page (a proxy’s 502) and does not echo the body', async () => {
    const response = new Response('<html>Bad gateway: token=abc</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    const error = await errorFromResponse(response, 'GET /v1/accounts/me');
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', status: 502 });
    expect(error.message).not.toContain('token=abc');
  });

  it('is INVALID_RESPONSE for malformed JSON labelled as problem+json', async () => {
    const response = new Response('{"code":', { status: 500, headers: { 'content-type': PROBLEM_CONTENT_TYPE } });
    expect(await errorFromResponse(response, 'x')).toMatchObject({ code: 'INVALID_RESPONSE', status: 500 });
  });
});

describe('isApiError / isClientError', () => {
  const apiError = new ApiError({ code: 'AUTH_INVALID_CREDENTIALS', status: 401, requestId: 'r1' });
  const clientError = new ClientError('NETWORK_ERROR', 'offline', { cause: new TypeError('fetch failed') });

  it('recognise their own type, with or without a code', () => {
    expect(isApiError(apiError)).toBe(true);
    expect(isApiError(apiError, 'AUTH_INVALID_CREDENTIALS')).toBe(true);
    expect(isApiError(apiError, 'RATE_LIMITED')).toBe(false);
    expect(isApiError(clientError)).toBe(false);
    expect(isApiError(new Error('AUTH_INVALID_CREDENTIALS'))).toBe(false);
    expect(isClientError(clientError, 'NETWORK_ERROR')).toBe(true);
    expect(isClientError(clientError, 'NOT_SIGNED_IN')).toBe(false);
    expect(isClientError(apiError)).toBe(false);
    expect(clientError.cause).toBeInstanceOf(TypeError);
  });

  it('narrow the code for switch statements', () => {
    const caught: unknown = apiError;
    if (isApiError(caught, 'AUTH_INVALID_CREDENTIALS')) expectTypeOf(caught.code).toEqualTypeOf<'AUTH_INVALID_CREDENTIALS'>();
    if (isClientError(caught)) expectTypeOf(caught.code).toEqualTypeOf<ClientErrorCode>();
  });

  it('lists the client codes', () => {
    expect([...CLIENT_ERROR_CODES]).toEqual(['NETWORK_ERROR', 'INVALID_RESPONSE', 'NOT_SIGNED_IN', 'DPOP_KEY_UNAVAILABLE']);
  });
});
