/**
 * Step-up over HTTP, on SQLite and PostgreSQL, with DPoP-bound sessions: a route that declares
 * `stepUp` answers `401 STEP_UP_REQUIRED` with a challenge; the same session answers it with a
 * TOTP code, a recovery code or a passkey; the very same request repeated with the
 * `Portcullis-Step-Up` header goes through. A session that authenticated at the level within
 * `maxAgeSeconds` needs no step-up. ASVS V7.5.1 (re-authentication before MFA changes), V7.5.3
 * (further authentication before sensitive operations), V6.3.3 (a passkey for aal2_phr).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MfaFactorList, RecoveryCodes, StepUpVerification } from '@portcullis/protocol';
import type { OpenApiDocument } from '../../platform/http/openapi.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { SoftwareAuthenticator, registerPasskey } from '../../test-support/software-authenticator.ts';
import {
  problemOf,
  sendWithStepUp,
  stepUpChallengeOf,
  verifyStepUpWithCode,
  verifyStepUpWithPasskey,
} from '../../test-support/step-up-client.ts';
import {
  auditRows,
  buildStepUpTestApp,
  nextTotpCode,
  personWithTotp,
  signInWithTotp,
  signedInPerson,
  type PersonWithTotp,
  type StepUpTestApp,
} from './test-support/step-up-harness.ts';

describe.each(testDatabases())('step-up over HTTP on $dialect', ({ dialect }) => {
  let harness: StepUpTestApp;
  let pat: PersonWithTotp;
  beforeEach(async () => {
    harness = await buildStepUpTestApp(dialect);
    pat = await personWithTotp(harness, 'pat@example.test');
  });
  afterEach(() => harness.app.close());

  const factorKinds = async (person: PersonWithTotp) =>
    (await person.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors.map((factor) => factor.kind);

  it('V7.5.1: removing an authenticator app right after a password sign-in answers 401 STEP_UP_REQUIRED with a challenge', async () => {
    const response = await pat.device.call('DELETE', `/v1/mfa/totp/${pat.factorId}`);
    const challenge = stepUpChallengeOf(response);
    expect(challenge.token).toMatch(/^su_[\w-]{22}\.[\w-]{43}$/);
    expect({ ...challenge, token: '' }).toEqual({ token: '', methods: ['totp', 'recovery_code'], level: 'aal2', expiresIn: 300 });
    // RFC 9470 §3: the resource server's step-up challenge.
    expect(response.headers['www-authenticate']).toBe(
      'DPoP error="insufficient_user_authentication", error_description="Confirm it is you to do this", acr_values="aal2", max_age=300',
    );
    expect(await factorKinds(pat)).toEqual(['totp', 'recovery_codes']);
    expect(await auditRows(harness.app)).toEqual([{ action: 'step_up.challenge_issued', outcome: 'success', reason: 'aal2' }]);
  });

  it('V7.5.1: answered with a TOTP code, the same request repeated with the token removes the app', async () => {
    const url = `/v1/mfa/totp/${pat.factorId}`;
    const { token } = stepUpChallengeOf(await pat.device.call('DELETE', url));
    const verified = await verifyStepUpWithCode(pat.device, token, 'totp', nextTotpCode(harness, pat));
    expect(verified.statusCode).toBe(200);
    expect(verified.json<StepUpVerification>()).toEqual({ level: 'aal2', expiresIn: 270 });
    const removal = await sendWithStepUp(pat.device, { method: 'DELETE', url }, token);
    expect(removal.statusCode).toBe(204);
    expect(await factorKinds(pat)).toEqual(['recovery_codes']);
    expect((await auditRows(harness.app)).map((row) => [row.action, row.reason])).toEqual([
      ['step_up.challenge_issued', 'aal2'],
      ['step_up.verified', 'totp'],
      ['step_up.used', 'aal2'],
    ]);
  });

  it('V7.5.1: answered with a recovery code (spent by it), a new set of recovery codes is generated', async () => {
    const { token } = stepUpChallengeOf(await pat.device.call('POST', '/v1/mfa/recovery-codes'));
    const recoveryCode = pat.recoveryCodes[0] ?? '';
    expect((await verifyStepUpWithCode(pat.device, token, 'recovery_code', recoveryCode)).statusCode).toBe(200);
    const regenerated = await sendWithStepUp(pat.device, { method: 'POST', url: '/v1/mfa/recovery-codes' }, token);
    expect(regenerated.statusCode).toBe(201);
    expect(regenerated.json<RecoveryCodes>().codes).toHaveLength(10);
    // The recovery code was used up by the step-up.
    const { token: again } = stepUpChallengeOf(await pat.device.call('POST', '/v1/mfa/recovery-codes'));
    expect(problemOf(await verifyStepUpWithCode(pat.device, again, 'recovery_code', recoveryCode))).toEqual([401, 'MFA_CODE_INVALID']);
  });

  it('a session that signed in with a second factor within 5 minutes needs no step-up; an older one is asked', async () => {
    const phone = new TestDevice(harness.app);
    await signInWithTotp(harness, pat, phone);
    harness.clock.advance(299_000);
    expect((await phone.call('POST', '/v1/mfa/recovery-codes')).statusCode).toBe(201);
    harness.clock.advance(2_000);
    expect(problemOf(await phone.call('POST', '/v1/mfa/recovery-codes'))).toEqual([401, 'STEP_UP_REQUIRED']);
  });

  it('V6.3.3: removing a passkey needs a passkey step-up; a TOTP answer is refused; the passkey answer reaches aal2_phr', async () => {
    const phone = new SoftwareAuthenticator();
    const registered = await registerPasskey(pat.device, phone);
    expect(registered.statusCode).toBe(201);
    const url = `/v1/passkeys/${registered.json<{ id: string }>().id}`;
    const challenge = stepUpChallengeOf(await pat.device.call('DELETE', url));
    expect([challenge.methods, challenge.level]).toEqual([['passkey'], 'aal2_phr']);
    expect(problemOf(await verifyStepUpWithCode(pat.device, challenge.token, 'totp', nextTotpCode(harness, pat)))).toEqual([
      400,
      'STEP_UP_METHOD_NOT_ALLOWED',
    ]);
    const verified = await verifyStepUpWithPasskey(pat.device, challenge.token, phone);
    expect([verified.statusCode, verified.json<StepUpVerification>().level]).toEqual([200, 'aal2_phr']);
    expect((await sendWithStepUp(pat.device, { method: 'DELETE', url }, challenge.token)).statusCode).toBe(204);
    expect((await pat.device.call('GET', '/v1/passkeys')).json<{ passkeys: unknown[] }>().passkeys).toEqual([]);
  });

  it('V6.3.3: a fresh aal2 session (password and TOTP) is still asked for a passkey before removing a passkey', async () => {
    const phone = new SoftwareAuthenticator();
    const id = (await registerPasskey(pat.device, phone)).json<{ id: string }>().id;
    const laptop = new TestDevice(harness.app);
    await signInWithTotp(harness, pat, laptop);
    expect(laptop.tokens?.aal).toBe('aal2');
    expect(stepUpChallengeOf(await laptop.call('DELETE', `/v1/passkeys/${id}`)).level).toBe('aal2_phr');
  });

  it('an account with no factor that reaches the level answers 403 STEP_UP_UNAVAILABLE (no dead-end challenge)', async () => {
    const sam = await signedInPerson(harness.app, 'sam@example.test');
    expect(problemOf(await sam.device.call('POST', '/v1/mfa/recovery-codes'))).toEqual([403, 'STEP_UP_UNAVAILABLE']);
    expect(await auditRows(harness.app)).toContainEqual({ action: 'step_up.failed', outcome: 'failure', reason: 'no_factor' });
  });

  it('answers malformed step-up input with 4xx, never 500', async () => {
    const { token } = stepUpChallengeOf(await pat.device.call('POST', '/v1/mfa/recovery-codes'));
    const code = nextTotpCode(harness, pat);
    const bodies: unknown[] = [
      {},
      { challenge: token, method: 'totp' },
      { challenge: token, method: 'sms', code },
      { challenge: 'su_short.x', method: 'totp', code },
      { challenge: token, method: 'totp', code, extra: true },
      { challenge: token, method: 'totp', code: 123456 },
    ];
    for (const body of bodies) {
      expect([body, ...problemOf(await pat.device.call('POST', '/v1/step-up/verify', body))]).toEqual([body, 400, 'REQUEST_INVALID']);
    }
    const forged = `${token.slice(0, 26)}${'A'.repeat(43)}`;
    expect(problemOf(await verifyStepUpWithCode(pat.device, forged, 'totp', code))).toEqual([400, 'STEP_UP_CHALLENGE_INVALID']);
    expect(problemOf(await pat.device.call('POST', '/v1/step-up/passkey/options', { challenge: 'nope' }))).toEqual([
      400,
      'REQUEST_INVALID',
    ]);
    for (const header of ['garbage', token.replace('su_', 'mc_'), `${token},${token}`, ' '.repeat(300)]) {
      const response = await sendWithStepUp(pat.device, { method: 'POST', url: '/v1/mfa/recovery-codes' }, header);
      expect([header, ...problemOf(response)]).toEqual([header, 401, 'STEP_UP_REQUIRED']);
    }
    // The challenge is still good after all of that.
    expect((await verifyStepUpWithCode(pat.device, token, 'totp', code)).statusCode).toBe(200);
  });

  it('documents each route’s step-up in the OpenAPI document (x-portcullis-step-up)', async () => {
    const document = (await harness.app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    expect(document.paths['/v1/mfa/totp/{id}']?.['delete']?.['x-portcullis-step-up']).toEqual({ maxAgeSeconds: 300, level: 'aal2' });
    expect(document.paths['/v1/mfa/recovery-codes']?.['post']?.['x-portcullis-step-up']).toEqual({ maxAgeSeconds: 300, level: 'aal2' });
    expect(document.paths['/v1/passkeys/{id}']?.['delete']?.['x-portcullis-step-up']).toEqual({ maxAgeSeconds: 300, level: 'aal2_phr' });
    expect(document.paths['/v1/mfa/factors']?.['get']?.['x-portcullis-step-up']).toBeUndefined();
  });

  it('a step-up route without credentials answers 401 AUTH_REQUIRED before any challenge is made', async () => {
    const response = await harness.app.inject({ method: 'POST', url: '/v1/mfa/recovery-codes' });
    expect(problemOf(response)).toEqual([401, 'AUTH_REQUIRED']);
    expect(await auditRows(harness.app)).toEqual([]);
  });
});
