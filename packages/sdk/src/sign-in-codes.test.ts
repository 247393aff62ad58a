/**
 * Sign-in codes by email or SMS, and phone enrolment, from the client's side: a challenge that
 * offers `email_code` or `sms_code` is read as `MFA_REQUIRED` with those methods (an SDK that
 * dropped unknown methods would lose the whole challenge), the new calls refuse misuse before
 * any request (a factor id that is not one cannot reach a URL path), and sending a code needs the
 * DPoP key of the password step. The flows themselves run against the real server in
 * packages/server/src/sdk.int.test.ts.
 */
import { AUTH_CHALLENGE_METHODS, PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import { describe, expect, it } from 'vitest';
import { PortcullisClient } from './portcullis-client.ts';
import { MemoryDpopKeyStore } from './dpop/key-store.ts';
import { isClientError, isMfaRequired } from './errors.ts';
import { errorFromResponse } from './http/error-from-response.ts';
import { MemoryTokenStore } from './storage/token-store.ts';

function challengeAnswer(methods: readonly string[]): Response {
  const body = {
    code: 'MFA_REQUIRED',
    status: 401,
    requestId: 'r1',
    challenge: { token: 'mc_token', methods, level: 'aal2', expiresIn: 300 },
  };
  return new Response(JSON.stringify(body), { status: 401, headers: { 'content-type': PROBLEM_CONTENT_TYPE } });
}

describe('MFA_REQUIRED challenges with email and SMS codes', () => {
  it('keeps a challenge that offers sms_code and email_code', async () => {
    const error = await errorFromResponse(challengeAnswer(['sms_code', 'recovery_code', 'email_code']), 'POST /v1/sessions');
    expect(isMfaRequired(error)).toBe(true);
    if (isMfaRequired(error)) expect(error.challenge.methods).toEqual(['sms_code', 'recovery_code', 'email_code']);
  });

  it('knows every method the protocol defines, and still drops a challenge with a method it does not', async () => {
    expect(isMfaRequired(await errorFromResponse(challengeAnswer([...AUTH_CHALLENGE_METHODS]), 'x'))).toBe(true);
    expect(isMfaRequired(await errorFromResponse(challengeAnswer(['totp', 'carrier_pigeon']), 'x'))).toBe(false);
  });
});

describe('client misuse is refused before any request', () => {
  const requests: string[] = [];
  const client = new PortcullisClient({
    baseUrl: 'https://auth.example.com',
    tokenStore: new MemoryTokenStore(),
    keyStore: new MemoryDpopKeyStore(),
    fetch: (input: RequestInfo | URL) => {
      requests.push(input instanceof Request ? input.url : input.toString());
      return Promise.reject(new Error('no network in this test'));
    },
  });

  it('factor ids must be factor ids: no path traversal through resend, confirm or remove', async () => {
    for (const id of ['../sessions/current', 'abc', '00000000-0000-4000-8000-00000000000/']) {
      await expect(client.resendPhoneCode(id)).rejects.toThrow(TypeError);
      await expect(client.confirmPhoneEnrolment(id, '123456')).rejects.toThrow(TypeError);
      await expect(client.removePhone(id, () => Promise.resolve(null))).rejects.toThrow(TypeError);
    }
    await expect(client.startPhoneEnrolment(447700900123 as unknown as string)).rejects.toThrow(TypeError);
    expect(requests).toEqual([]);
  });

  it('sending a sign-in code needs the DPoP key of the password step', async () => {
    const error: unknown = await client.sendSignInCode({ challenge: 'mc_token', channel: 'sms' }).catch((e: unknown) => e);
    expect(isClientError(error, 'NOT_SIGNED_IN')).toBe(true);
    expect(requests).toEqual([]);
  });
});
