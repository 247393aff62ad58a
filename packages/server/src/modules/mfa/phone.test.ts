/**
 * Phone numbers as second factors over HTTP, on SQLite and PostgreSQL, with DPoP-bound sessions:
 * add a number → a code is texted to it (read here from the development outbox) → confirm →
 * listed masked; resend limits; one phone per account; only for roles that may use SMS codes and
 * only while SMS codes are enabled; removal behind a step-up. ASVS V6.6.1 (SMS only to a
 * validated number), V6.5.5 (codes and pending numbers expire), V6.5.6 (the factor can be
 * revoked), V7.4.3 (factor changes end other sessions), V7.5.1 (step-up before removal),
 * V14.2.6 (numbers shown masked).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MfaFactorList, PhoneCodeSent, PhoneEnrolment, TotpEnrolment } from '@portcullis/protocol';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { problemOf, sendWithStepUp, stepUpChallengeOf, verifyStepUpWithCode } from '../../test-support/step-up-client.ts';
import { elevateToAal2 } from './test-support/mfa-harness.ts';
import {
  PASSWORD,
  addPhone,
  answer,
  auditCount,
  buildPhoneTestApp,
  challengeFor,
  latestTextCode,
  sendCode,
  setRoles,
  signedInPatient,
  textsTo,
  type Person,
  type PhoneTestApp,
} from '../../test-support/phone-harness.ts';

const PHONE = '+447700900123';
const OTHER_PHONE = '+447700900456';

describe.each(testDatabases())('phone factor over HTTP on $dialect', ({ dialect }) => {
  let h: PhoneTestApp;
  let pat: Person;
  beforeEach(async () => {
    h = await buildPhoneTestApp(dialect);
    pat = await signedInPatient(h.app, 'pat@example.test');
  });
  afterEach(() => h.app.close());

  it('V6.6.1: adds a number, texts it a code, confirms it with that code; listed masked; recovery codes come with it', async () => {
    const start = await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE });
    expect(start.statusCode).toBe(201);
    const enrolment = start.json<PhoneEnrolment>();
    expect(enrolment).toEqual({
      factorId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      phoneNumber: '+44•••••••123',
      expiresAt: new Date(h.clock.now() + 10 * 60_000).toISOString(),
      codeExpiresIn: 600,
      resendAfter: 30,
    });
    const [text] = await textsTo(h.app, PHONE);
    expect(text).toMatch(/^Portcullis: \d{6} is your code to add this phone\. Valid 10 min\./);
    expect(text).not.toMatch(/https?:/);
    expect(text?.length).toBeLessThanOrEqual(160);

    // Not a factor until confirmed.
    expect((await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors).toEqual([]);
    const other = await signedInPatient(h.app, 'other@example.test');

    const confirm = await pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/confirm`, {
      code: await latestTextCode(h.app, PHONE, 'enrolment'),
    });
    expect(confirm.statusCode).toBe(200);
    const confirmation = confirm.json<{ factor: unknown; recoveryCodes: { codes: string[] } | null }>();
    expect(confirmation.factor).toEqual({
      id: enrolment.factorId,
      kind: 'phone',
      label: '+44•••••••123',
      createdAt: new Date(h.clock.now()).toISOString(),
      lastUsedAt: null,
    });
    expect(confirmation.recoveryCodes?.codes).toHaveLength(10);
    const { factors } = (await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>();
    expect(factors.map((f) => [f.kind, f.label])).toEqual([
      ['phone', '+44•••••••123'],
      ['recovery_codes', 'Recovery codes'],
    ]);
    expect(JSON.stringify(factors)).not.toContain('7700900');
    // Another person's factor list is untouched.
    expect((await other.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors).toEqual([]);
    expect(await auditCount(h.app, 'mfa.phone_added', 'success')).toBe(1);
    expect(await auditCount(h.app, 'mfa.sms_code_sent', 'success')).toBe(1);
    expect(await auditCount(h.app, 'mfa.phone_verified', 'success')).toBe(1);
  });

  it('V7.4.3: confirming a phone signs out the person’s other sessions', async () => {
    const second = new TestDevice(h.app);
    expect((await second.signIn(pat.email, PASSWORD)).statusCode).toBe(201);
    await addPhone(h.app, pat, PHONE);
    expect((await second.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await pat.device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
  });

  it('refuses a wrong, a replaced and an overused code (MFA_PHONE_CODE_INVALID), and a pending number expires', async () => {
    const enrolment = (await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE })).json<PhoneEnrolment>();
    const first = await latestTextCode(h.app, PHONE, 'enrolment');
    const confirm = (code: string) => pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/confirm`, { code });
    const wrong = first === '000000' ? '111111' : '000000';
    expect(problemOf(await confirm(wrong))).toEqual([400, 'MFA_PHONE_CODE_INVALID']);

    // A newer code replaces the first.
    h.clock.advance(30_000);
    const resend = await pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/resend`, {});
    expect(resend.statusCode).toBe(202);
    expect(resend.json<PhoneCodeSent>()).toEqual({ phoneNumber: '+44•••••••123', codeExpiresIn: 570, resendAfter: 30 });
    const second = await latestTextCode(h.app, PHONE, 'enrolment');
    if (second !== first) expect(problemOf(await confirm(first))).toEqual([400, 'MFA_PHONE_CODE_INVALID']);

    // Five wrong guesses kill the code, even the right one after them.
    for (let i = 0; i < 5; i++) await confirm(second === '000000' ? '111111' : '000000');
    expect(problemOf(await confirm(second))).toEqual([400, 'MFA_PHONE_CODE_INVALID']);

    // After 10 minutes the pending number is gone.
    h.clock.advance(10 * 60_000);
    expect((await pat.device.refresh()).statusCode).toBe(200); // the access token outlived too
    expect(problemOf(await confirm(second))).toEqual([404, 'MFA_ENROLMENT_NOT_FOUND']);
    expect(problemOf(await pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/resend`, {}))).toEqual([
      404,
      'MFA_ENROLMENT_NOT_FOUND',
    ]);
    expect(await auditCount(h.app, 'mfa.phone_verified', 'failure')).toBeGreaterThanOrEqual(7);
  });

  it('V6.6.3: verification texts are throttled — 30 s apart and 5 an hour per account — and answer 429 with Retry-After', async () => {
    const enrolment = (await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE })).json<PhoneEnrolment>();
    const resend = () => pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/resend`, {});
    const tooSoon = await resend();
    expect(problemOf(tooSoon)).toEqual([429, 'RATE_LIMITED']);
    expect(Number(tooSoon.headers['retry-after'])).toBe(30);
    for (let i = 0; i < 4; i++) {
      h.clock.advance(30_000);
      expect((await resend()).statusCode).toBe(202);
    }
    h.clock.advance(30_000);
    const hourly = await resend();
    expect(problemOf(hourly)).toEqual([429, 'RATE_LIMITED']);
    expect(Number(hourly.headers['retry-after'])).toBeGreaterThan(30);
    // A new number does not reset the account's hourly limit.
    expect(problemOf(await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: OTHER_PHONE }))).toEqual([429, 'RATE_LIMITED']);
    expect(await textsTo(h.app, PHONE)).toHaveLength(5);
    expect(await textsTo(h.app, OTHER_PHONE)).toHaveLength(0);
    expect(await auditCount(h.app, 'mfa.sms_code_sent', 'failure')).toBe(3);
  });

  it('one phone per account; with a second factor, a password session cannot add a phone or an app (AUTH_LEVEL_INSUFFICIENT)', async () => {
    await addPhone(h.app, pat, PHONE);
    // The confirming session is still aal1: it may not add more factors, and is told what would do.
    const phone = await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: OTHER_PHONE });
    expect(problemOf(phone)).toEqual([401, 'AUTH_LEVEL_INSUFFICIENT']);
    expect(phone.headers['www-authenticate']).toContain('error="insufficient_user_authentication"');
    expect(phone.json()).toMatchObject({
      requiredLevel: 'aal2',
      currentLevel: 'aal1',
      methods: expect.arrayContaining(['sms']) as unknown,
    });
    expect(problemOf(await pat.device.call('POST', '/v1/mfa/totp', {}))).toEqual([401, 'AUTH_LEVEL_INSUFFICIENT']);
    await elevateToAal2(h.app, pat);
    expect(problemOf(await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: OTHER_PHONE }))).toEqual([
      409,
      'MFA_PHONE_ALREADY_ENROLLED',
    ]);
    expect((await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>().secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await textsTo(h.app, OTHER_PHONE)).toEqual([]);
  });

  it('SMS is never for staff: a role above aal1 cannot add a phone, even from its enrol-only session (MFA_METHOD_NOT_ALLOWED)', async () => {
    await setRoles(h.app, pat.accountId, ['clinician']);
    const response = await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE });
    expect(problemOf(response)).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    expect(await textsTo(h.app, PHONE)).toEqual([]);
    expect(await auditCount(h.app, 'mfa.phone_added', 'failure')).toBe(1);
  });

  it('a number added before a role change cannot be confirmed after it', async () => {
    const enrolment = (await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE })).json<PhoneEnrolment>();
    await setRoles(h.app, pat.accountId, ['support']);
    const confirm = await pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/confirm`, {
      code: await latestTextCode(h.app, PHONE, 'enrolment'),
    });
    expect(problemOf(confirm)).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    expect(problemOf(await pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/resend`, {}))).toEqual([
      403,
      'MFA_METHOD_NOT_ALLOWED',
    ]);
  });

  it('answers 400 REQUEST_INVALID to numbers that are not E.164, never 500', async () => {
    for (const phoneNumber of ['07700900123', '+44 7700 900123', '+0447700900123', '+4477', '+4477009001234567', '+44770090012a', '']) {
      const response = await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber });
      expect({ phoneNumber, outcome: problemOf(response) }).toEqual({ phoneNumber, outcome: [400, 'REQUEST_INVALID'] });
    }
    expect(problemOf(await pat.device.call('POST', '/v1/mfa/phone/not-a-uuid/confirm', { code: '123456' }))).toEqual([
      400,
      'REQUEST_INVALID',
    ]);
    const enrolment = (await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE })).json<PhoneEnrolment>();
    for (const code of ['12345', '1234567', 'abcdef', 123456]) {
      const response = await pat.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/confirm`, { code });
      expect(problemOf(response)).toEqual([400, 'REQUEST_INVALID']);
    }
  });

  it('V6.5.6, V7.5.1: removes the phone after a step-up; codes already sent stop working; other sessions end', async () => {
    const { enrolment, confirmation } = await addPhone(h.app, pat, PHONE);
    // A sign-in elsewhere has a code texted before the removal.
    const other = await challengeFor(h.app, pat.email);
    expect((await sendCode(other.device, other.challenge.token, 'sms')).statusCode).toBe(202);
    const textedCode = await latestTextCode(h.app, PHONE, 'sign-in');

    const request = { method: 'DELETE' as const, url: `/v1/mfa/phone/${enrolment.factorId}` };
    const challenge = stepUpChallengeOf(await sendWithStepUp(pat.device, request));
    expect(challenge.methods).toContain('recovery_code');
    const recovery = confirmation.recoveryCodes?.codes[0] ?? '';
    expect((await verifyStepUpWithCode(pat.device, challenge.token, 'recovery_code', recovery)).statusCode).toBe(200);
    expect((await sendWithStepUp(pat.device, request, challenge.token)).statusCode).toBe(204);

    expect((await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors.map((f) => f.kind)).toEqual(['recovery_codes']);
    // The code texted before the removal no longer signs in.
    const late = await answer(other.device, other.challenge.token, 'sms_code', textedCode);
    expect(problemOf(late)).toEqual([401, 'MFA_CODE_INVALID']);
    expect(await auditCount(h.app, 'mfa.phone_removed', 'success')).toBe(1);
    // Someone else's (or a missing) phone answers 404.
    const again = stepUpChallengeOf(await sendWithStepUp(pat.device, request));
    expect(
      (await verifyStepUpWithCode(pat.device, again.token, 'recovery_code', confirmation.recoveryCodes?.codes[1] ?? '')).statusCode,
    ).toBe(200);
    expect(problemOf(await sendWithStepUp(pat.device, request, again.token))).toEqual([404, 'MFA_FACTOR_NOT_FOUND']);
  });
});

describe.each(testDatabases())('phone factor switched off on $dialect', ({ dialect }) => {
  it('with mfa.smsCodes disabled, adding a phone answers MFA_METHOD_NOT_ALLOWED and nothing is texted', async () => {
    const h = await buildPhoneTestApp(dialect, { config: { mfa: { smsCodes: { enabled: false } } } });
    try {
      const pat = await signedInPatient(h.app, 'pat@example.test');
      expect(problemOf(await pat.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE }))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
      expect(await textsTo(h.app, PHONE)).toEqual([]);
    } finally {
      await h.app.close();
    }
  });
});
