/**
 * RFC 9470 "insufficient_user_authentication": a `401` whose session is below the route's level
 * becomes an `InsufficientAuthenticationError` naming the level, the session's level, the
 * factors that reach it and the authentication age the route allows, from the
 * `WWW-Authenticate` header and the problem body — the header alone suffices. Literal answers
 * in the server's form.
 */
import { PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ApiError, isApiError } from './errors.ts';
import { errorFromResponse } from './http/error-from-response.ts';
import { InsufficientAuthenticationError, isInsufficientAuthentication, type FactorKind } from './insufficient-authentication.ts';
import { isStepUpRequired } from './step-up/is-step-up-required.ts';

const PHR_HEADER =
  'DPoP error="insufficient_user_authentication", error_description="A passkey sign-in is required", acr_values="aal2_phr", max_age=300';

function answer(status: number, headers: Record<string, string>, body?: unknown): Response {
  if (body === undefined) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } });
}

describe('isInsufficientAuthentication', () => {
  it('reads the header and the problem body: an administrator signed in with a password learns a passkey is needed', async () => {
    const error = await errorFromResponse(
      answer(
        401,
        { 'www-authenticate': PHR_HEADER },
        {
          type: 'https://portcullis.dev/errors#auth-level-insufficient',
          title: 'A stronger sign-in is required',
          status: 401,
          code: 'AUTH_LEVEL_INSUFFICIENT',
          requestId: 'req-1',
          requiredLevel: 'aal2_phr',
          currentLevel: 'aal2',
          methods: ['passkey'],
        },
      ),
      'GET /v1/admin/accounts',
    );
    expect(isInsufficientAuthentication(error)).toBe(true);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'AUTH_LEVEL_INSUFFICIENT',
      status: 401,
      requestId: 'req-1',
      requiredLevel: 'aal2_phr',
      currentLevel: 'aal2',
      methods: ['passkey'],
      maxAge: 300,
    });
    expect((error as Error).message).toContain('passkey');
    expect(isApiError(error, 'AUTH_LEVEL_INSUFFICIENT')).toBe(true);
  });

  it('needs only the header when the body is missing', async () => {
    const error = await errorFromResponse(answer(401, { 'www-authenticate': PHR_HEADER }), 'GET /v1/admin/accounts');
    expect(error).toMatchObject({ requiredLevel: 'aal2_phr', currentLevel: undefined, methods: ['passkey'], maxAge: 300 });
    expect(error).toMatchObject({ detail: 'A passkey sign-in is required' });
  });

  it('offers every factor for aal2 without a body, and no max age when the route sets none', async () => {
    const error = await errorFromResponse(
      answer(401, { 'www-authenticate': 'DPoP error="insufficient_user_authentication", acr_values="aal2"' }),
      'GET /v1/audit/entries',
    );
    expect(error).toMatchObject({
      requiredLevel: 'aal2',
      methods: ['passkey', 'totp', 'sms', 'email', 'recovery_code'],
      maxAge: undefined,
    });
  });

  it('takes the methods from the body, where the server narrowed them', async () => {
    const error = await errorFromResponse(
      answer(
        401,
        { 'www-authenticate': 'DPoP error="insufficient_user_authentication", acr_values="aal2"' },
        {
          code: 'AUTH_LEVEL_INSUFFICIENT',
          requestId: 'r',
          requiredLevel: 'aal2',
          currentLevel: 'aal1',
          methods: ['totp', 'recovery_code', 'bogus'],
        },
      ),
      'x',
    );
    expect(error).toMatchObject({ requiredLevel: 'aal2', currentLevel: 'aal1', methods: ['totp', 'recovery_code'] });
  });

  it('leaves STEP_UP_REQUIRED alone, which carries the same header with a challenge to answer in place', async () => {
    const error = await errorFromResponse(
      answer(
        401,
        { 'www-authenticate': 'DPoP error="insufficient_user_authentication", max_age=300, acr_values="aal2"' },
        {
          code: 'STEP_UP_REQUIRED',
          requestId: 'r',
          challenge: { token: 'su_x.y', methods: ['totp', 'recovery_code'], level: 'aal2', expiresIn: 300 },
        },
      ),
      'x',
    );
    expect(isInsufficientAuthentication(error)).toBe(false);
    expect(isStepUpRequired(error)).toBe(true);
  });

  it('is not any other 401, nor a level this SDK does not know', async () => {
    const expired = await errorFromResponse(
      answer(401, { 'www-authenticate': 'DPoP error="invalid_token"' }, { code: 'AUTH_REQUIRED', requestId: 'r' }),
      'x',
    );
    expect(isInsufficientAuthentication(expired)).toBe(false);
    const unknownLevel = await errorFromResponse(
      answer(401, { 'www-authenticate': 'DPoP error="insufficient_user_authentication", acr_values="aal3"' }),
      'x',
    );
    expect(isInsufficientAuthentication(unknownLevel)).toBe(false);
    const forbidden = await errorFromResponse(answer(403, { 'www-authenticate': PHR_HEADER }), 'x');
    expect(isInsufficientAuthentication(forbidden)).toBe(false);
  });

  it('narrows to the fields apps branch on', () => {
    const caught: unknown = new InsufficientAuthenticationError({
      status: 401,
      requestId: 'r',
      detail: undefined,
      requiredLevel: 'aal2',
      currentLevel: 'aal1',
      methods: ['totp'],
      maxAge: undefined,
    });
    if (!isInsufficientAuthentication(caught)) throw new Error('expected the guard to narrow');
    expectTypeOf(caught.requiredLevel).toEqualTypeOf<'aal2' | 'aal2_phr'>();
    expectTypeOf(caught.methods).toEqualTypeOf<readonly FactorKind[]>();
    expectTypeOf(caught.maxAge).toEqualTypeOf<number | undefined>();
  });
});
