/**
 * Which answers the client treats as a DPoP nonce challenge (RFC 9449 §8 and §9) or as a refused
 * access token (RFC 6750 §3.1), in the Portcullis problem form and the standard OAuth forms.
 */
import { describe, expect, it } from 'vitest';
import { isAccessTokenRejected, isNonceChallenge } from './challenges.ts';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

describe('DPoP nonce challenge RFC 9449 §8/§9', () => {
  it('recognises the Portcullis problem (401 AUTH_DPOP_NONCE_REQUIRED + DPoP-Nonce)', async () => {
    expect(await isNonceChallenge(answer(401, { code: 'AUTH_DPOP_NONCE_REQUIRED' }, { 'DPoP-Nonce': 'n1' }))).toBe(true);
  });

  it('recognises the authorization-server form (400 {"error":"use_dpop_nonce"}, §8)', async () => {
    expect(await isNonceChallenge(answer(400, { error: 'use_dpop_nonce' }, { 'DPoP-Nonce': 'n1' }))).toBe(true);
  });

  it('recognises the resource-server form (401 WWW-Authenticate: DPoP error="use_dpop_nonce", §9)', async () => {
    const headers = {
      'DPoP-Nonce': 'n1',
      'WWW-Authenticate': 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"',
    };
    expect(await isNonceChallenge(answer(401, undefined, headers))).toBe(true);
  });

  it('is not a challenge without a DPoP-Nonce header, or with another code or status', async () => {
    expect(await isNonceChallenge(answer(401, { code: 'AUTH_DPOP_NONCE_REQUIRED' }))).toBe(false);
    expect(await isNonceChallenge(answer(401, { code: 'AUTH_DPOP_INVALID' }, { 'DPoP-Nonce': 'n1' }))).toBe(false);
    expect(await isNonceChallenge(answer(200, { code: 'AUTH_DPOP_NONCE_REQUIRED' }, { 'DPoP-Nonce': 'n1' }))).toBe(false);
  });

  it('leaves the original body readable', async () => {
    const response = answer(401, { code: 'AUTH_DPOP_NONCE_REQUIRED' }, { 'DPoP-Nonce': 'n1' });
    await isNonceChallenge(response);
    expect(await response.json()).toEqual({ code: 'AUTH_DPOP_NONCE_REQUIRED' });
  });
});

describe('refused access token', () => {
  it('is 401 AUTH_REQUIRED or WWW-Authenticate error="invalid_token"', async () => {
    expect(await isAccessTokenRejected(answer(401, { code: 'AUTH_REQUIRED' }))).toBe(true);
    expect(await isAccessTokenRejected(answer(401, undefined, { 'WWW-Authenticate': 'DPoP error="invalid_token"' }))).toBe(true);
  });

  it('is not a proof problem, a forbidden action or a sign-in failure', async () => {
    expect(await isAccessTokenRejected(answer(401, { code: 'AUTH_DPOP_INVALID' }))).toBe(false);
    expect(await isAccessTokenRejected(answer(401, { code: 'AUTH_INVALID_CREDENTIALS' }))).toBe(false);
    expect(await isAccessTokenRejected(answer(403, { code: 'AUTH_REQUIRED' }))).toBe(false);
  });
});
