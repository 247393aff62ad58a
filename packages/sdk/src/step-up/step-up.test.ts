/**
 * Recognising `401 STEP_UP_REQUIRED` and the step-up routes' answers (the flow itself runs
 * against the real server in packages/server/src/sdk-step-up.int.test.ts).
 */
import { PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { parseStepUpPasskeyOptions, parseStepUpVerification, stepUpChallengeOf } from './step-up-responses.ts';
import { isStepUpRequired } from './is-step-up-required.ts';

const CHALLENGE = {
  token: 'su_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
  methods: ['totp'],
  level: 'aal2',
  expiresIn: 300,
};

function problem(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'x', status, requestId: 'r1', ...body }), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  });
}

describe('stepUpChallengeOf', () => {
  it('reads the challenge of a 401 STEP_UP_REQUIRED and leaves the body readable', async () => {
    const response = problem(401, { code: 'STEP_UP_REQUIRED', challenge: CHALLENGE });
    expect(await stepUpChallengeOf(response)).toEqual(CHALLENGE);
    expect(await response.json()).toMatchObject({ code: 'STEP_UP_REQUIRED' });
  });

  it('ignores every other answer, and a challenge that is not well formed', async () => {
    const others = [
      problem(401, { code: 'MFA_REQUIRED', challenge: CHALLENGE }),
      problem(401, { code: 'AUTH_REQUIRED' }),
      problem(403, { code: 'STEP_UP_REQUIRED', challenge: CHALLENGE }),
      problem(401, { code: 'STEP_UP_REQUIRED' }),
      problem(401, { code: 'STEP_UP_REQUIRED', challenge: { ...CHALLENGE, level: 'aal1' } }),
      problem(401, { code: 'STEP_UP_REQUIRED', challenge: { ...CHALLENGE, methods: ['sms'] } }),
      new Response('<html>proxy</html>', { status: 401, headers: { 'content-type': 'text/html' } }),
      new Response(null, { status: 204 }),
    ];
    for (const response of others) expect(await stepUpChallengeOf(response)).toBeUndefined();
  });
});

describe('isStepUpRequired', () => {
  it('narrows an ApiError carrying a step-up challenge, and nothing else', () => {
    const error: unknown = new ApiError({ code: 'STEP_UP_REQUIRED', status: 401, requestId: 'r', challenge: CHALLENGE as never });
    expect(isStepUpRequired(error)).toBe(true);
    if (isStepUpRequired(error)) expect(error.challenge.token).toBe(CHALLENGE.token);
    expect(isStepUpRequired(new ApiError({ code: 'STEP_UP_REQUIRED', status: 401, requestId: 'r' }))).toBe(false);
    expect(isStepUpRequired(new ApiError({ code: 'MFA_REQUIRED', status: 401, requestId: 'r', challenge: CHALLENGE as never }))).toBe(
      false,
    );
    expect(isStepUpRequired(new Error('STEP_UP_REQUIRED'))).toBe(false);
  });
});

describe('step-up answer shapes', () => {
  it('accepts the documented answers and refuses anything else', () => {
    expect(parseStepUpVerification({ level: 'aal2', expiresIn: 270 })).toEqual({ level: 'aal2', expiresIn: 270 });
    for (const bad of [
      null,
      {},
      { level: 'aal1', expiresIn: 1 },
      { level: 'aal2', expiresIn: -1 },
      { level: 'aal2_phr', expiresIn: '1' },
    ]) {
      expect(parseStepUpVerification(bad)).toBeUndefined();
    }
    const options = { challenge: 'c', rpId: 'example.com', timeout: 300000, userVerification: 'required', allowCredentials: [] };
    expect(parseStepUpPasskeyOptions(options)).toEqual(options);
    expect(parseStepUpPasskeyOptions({ ...options, userVerification: 'preferred' })).toBeUndefined();
    expect(parseStepUpPasskeyOptions({ ...options, allowCredentials: undefined })).toBeUndefined();
    expect(parseStepUpPasskeyOptions({ ...options, challenge: '' })).toBeUndefined();
  });
});
