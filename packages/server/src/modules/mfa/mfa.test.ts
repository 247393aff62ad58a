/**
 * Second factors over HTTP, on SQLite and PostgreSQL, with DPoP-bound sessions: enrol an
 * authenticator app → confirm with its first code → list; recovery codes handed out with the
 * first factor; removal and regeneration behind a step-up (a password session alone is asked
 * for one; the step-up itself is tested in modules/step-up); malformed input answered 4xx, never
 * 500. ASVS V6.5.3 (CSPRNG seeds), V6.5.5 (pending enrolments and codes expire), V6.5.6 (factors
 * can be revoked), V7.4.3 (MFA changes end other sessions), V7.5.1 (re-authentication before
 * removal/regeneration).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MfaFactorList, RecoveryCodeStatus, RecoveryCodes, TotpEnrolment } from '@portcullis/protocol';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { hasSecondFactor, listFactors } from './index.ts';
import {
  authenticatorCode,
  buildMfaTestApp,
  elevateToAal2,
  enrolTotp,
  signedInPerson,
  signInWithRecoveryCode,
  type MfaTestApp,
  type SignedInPerson,
} from './test-support/mfa-harness.ts';

describe.each(testDatabases())('MFA over HTTP on $dialect', ({ dialect }) => {
  let mfa: MfaTestApp;
  let pat: SignedInPerson;
  beforeEach(async () => {
    mfa = await buildMfaTestApp(dialect);
    pat = await signedInPerson(mfa.app, 'pat@example.test');
  });
  afterEach(() => mfa.app.close());

  it('enrols an authenticator app: key URI, QR code and secret once; confirmed by a first code; then listed', async () => {
    const start = await pat.device.call('POST', '/v1/mfa/totp', { label: 'Work phone' });
    expect(start.statusCode).toBe(201);
    const enrolment = start.json<TotpEnrolment>();
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits, RFC 4648 base32
    const uri = new URL(enrolment.otpauthUri);
    expect([uri.protocol, uri.host, decodeURIComponent(uri.pathname)]).toEqual(['otpauth:', 'totp', '/Portcullis:pat@example.test']);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret: enrolment.secret,
      issuer: 'Portcullis',
      digits: '6',
      period: '30',
    });
    expect(enrolment.qrCodeSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(Date.parse(enrolment.expiresAt) - mfa.clock.now()).toBe(10 * 60_000);

    // Pending factors are not factors yet.
    expect((await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors).toEqual([]);
    expect(await hasSecondFactor(mfa.deps, pat.accountId)).toBe(false);

    const confirm = await pat.device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, {
      code: authenticatorCode(enrolment.secret, mfa.clock.now()),
    });
    expect(confirm.statusCode).toBe(200);
    const confirmation = confirm.json<{ factor: unknown; recoveryCodes: RecoveryCodes }>();
    expect(confirmation.factor).toEqual({
      id: enrolment.factorId,
      kind: 'totp',
      label: 'Work phone',
      createdAt: new Date(mfa.clock.now()).toISOString(),
      lastUsedAt: new Date(mfa.clock.now()).toISOString(),
    });
    expect(confirmation.recoveryCodes.codes).toHaveLength(10);

    const list = (await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>();
    expect(list.factors.map((f) => [f.kind, f.label])).toEqual([
      ['totp', 'Work phone'],
      ['recovery_codes', 'Recovery codes'],
    ]);
    expect(JSON.stringify(list)).not.toContain(enrolment.secret);
    expect(await hasSecondFactor(mfa.deps, pat.accountId)).toBe(true);
    expect((await listFactors(mfa.deps, pat.accountId)).map((f) => f.id)).toEqual(list.factors.map((f) => f.id));
  });

  it('names the app "Authenticator app" when no label is given', async () => {
    const { confirmation } = await enrolTotp(mfa, pat);
    expect(confirmation.factor.label).toBe('Authenticator app');
  });

  it('refuses a wrong code at confirmation with MFA_TOTP_CODE_INVALID and leaves the enrolment pending', async () => {
    const enrolment = (await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    const right = authenticatorCode(enrolment.secret, mfa.clock.now());
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const refused = await pat.device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, { code: wrong });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'MFA_TOTP_CODE_INVALID' });
    expect(refused.body).not.toContain(right);
    const confirm = await pat.device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, { code: right });
    expect(confirm.statusCode).toBe(200);
  });

  it('V6.5.5: a pending enrolment expires after 10 minutes', async () => {
    const enrolment = (await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    mfa.clock.advance(10 * 60_000 + 1);
    expect((await pat.device.refresh()).statusCode).toBe(200); // the access token lives 10 minutes too
    const late = await pat.device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, {
      code: authenticatorCode(enrolment.secret, mfa.clock.now()),
    });
    expect(late.statusCode).toBe(404);
    expect(late.json()).toMatchObject({ code: 'MFA_ENROLMENT_NOT_FOUND' });
  });

  it('starting a new enrolment discards the previous pending one (and expired ones are deleted)', async () => {
    const first = (await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    const second = (await pat.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    expect(second.secret).not.toBe(first.secret);
    const stale = await pat.device.call('POST', `/v1/mfa/totp/${first.factorId}/confirm`, {
      code: authenticatorCode(first.secret, mfa.clock.now()),
    });
    expect(stale.json()).toMatchObject({ code: 'MFA_ENROLMENT_NOT_FOUND' });
    const rows = await mfa.deps.db.selectFrom('mfa_totp_factors').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual([second.factorId]);
  });

  it('cannot confirm, see or remove another person’s factor (answers as if it did not exist)', async () => {
    const sam = await signedInPerson(mfa.app, 'sam@example.test');
    const samEnrolment = (await sam.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
    const hijack = await pat.device.call('POST', `/v1/mfa/totp/${samEnrolment.factorId}/confirm`, {
      code: authenticatorCode(samEnrolment.secret, mfa.clock.now()),
    });
    expect([hijack.statusCode, hijack.json<{ code: string }>().code]).toEqual([404, 'MFA_ENROLMENT_NOT_FOUND']);
    const samFactor = await enrolTotp(mfa, sam);
    expect((await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors).toEqual([]);
    await elevateToAal2(mfa.app, pat);
    const removal = await pat.device.call('DELETE', `/v1/mfa/totp/${samFactor.enrolment.factorId}`);
    expect([removal.statusCode, removal.json<{ code: string }>().code]).toEqual([404, 'MFA_FACTOR_NOT_FOUND']);
    expect(await hasSecondFactor(mfa.deps, sam.accountId)).toBe(true);
  });

  it('once a factor exists, adding another needs an aal2 session (told as the route contract tells it); at aal2 up to 5 apps, then 409', async () => {
    await enrolTotp(mfa, pat);
    const atAal1 = await pat.device.call('POST', '/v1/mfa/totp', {});
    expect(atAal1.statusCode).toBe(401);
    expect(atAal1.headers['www-authenticate']).toBe(
      'DPoP error="insufficient_user_authentication", error_description="A stronger sign-in is needed", acr_values="aal2"',
    );
    expect(atAal1.json()).toMatchObject({
      code: 'AUTH_LEVEL_INSUFFICIENT',
      requiredLevel: 'aal2',
      currentLevel: 'aal1',
      methods: expect.arrayContaining(['totp', 'recovery_code']) as unknown,
    });
    // Word for word what the route contract answers the same session on an aal2 route.
    const aal2Route = await pat.device.call('GET', '/v1/audit/checkpoint');
    expect(aal2Route.headers['www-authenticate']).toBe(atAal1.headers['www-authenticate']);
    expect({ ...aal2Route.json<object>(), requestId: null }).toEqual({ ...atAal1.json<object>(), requestId: null });
    await elevateToAal2(mfa.app, pat);
    for (let i = 2; i <= 5; i++) {
      const { confirmation } = await enrolTotp(mfa, pat, `App ${i}`);
      expect(confirmation.recoveryCodes).toBeNull(); // the first set came with the first app
    }
    const sixth = await pat.device.call('POST', '/v1/mfa/totp', {});
    expect([sixth.statusCode, sixth.json<{ code: string }>().code]).toEqual([409, 'MFA_FACTOR_LIMIT_REACHED']);
  });

  it('V6.5.6: removes an authenticator app after a step-up (V7.5.1); other sessions end (V7.4.3)', async () => {
    const { enrolment, recoveryCodes } = await enrolTotp(mfa, pat);
    const atAal1 = await pat.device.call('DELETE', `/v1/mfa/totp/${enrolment.factorId}`);
    expect([atAal1.statusCode, atAal1.json<{ code: string }>().code]).toEqual([401, 'STEP_UP_REQUIRED']);
    const otherDevice = new TestDevice(mfa.app);
    const otherSignIn = await signInWithRecoveryCode(otherDevice, pat.email, 'correct horse battery staple', recoveryCodes?.codes[0] ?? '');
    expect(otherSignIn.statusCode).toBe(201);
    await elevateToAal2(mfa.app, pat);
    const removal = await pat.device.call('DELETE', `/v1/mfa/totp/${enrolment.factorId}`);
    expect(removal.statusCode).toBe(204);
    expect(await hasSecondFactor(mfa.deps, pat.accountId)).toBe(false);
    expect((await pat.device.call('GET', '/v1/mfa/factors')).json<MfaFactorList>().factors.map((f) => f.kind)).toEqual(['recovery_codes']);
    expect((await otherDevice.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await pat.device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    const again = await pat.device.call('DELETE', `/v1/mfa/totp/${enrolment.factorId}`);
    expect(again.json()).toMatchObject({ code: 'MFA_FACTOR_NOT_FOUND' });
  });

  it('confirming a factor signs out the person’s other sessions (V7.4.3)', async () => {
    const otherDevice = new TestDevice(mfa.app);
    expect((await otherDevice.signIn(pat.email, 'correct horse battery staple')).statusCode).toBe(201);
    await enrolTotp(mfa, pat);
    expect((await otherDevice.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await pat.device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
  });

  it('reports recovery codes left, generates a new set after a step-up (other sessions end), and never shows codes again', async () => {
    expect((await pat.device.call('GET', '/v1/mfa/recovery-codes')).json<RecoveryCodeStatus>()).toEqual({
      total: 0,
      remaining: 0,
      createdAt: null,
    });
    const { recoveryCodes } = await enrolTotp(mfa, pat);
    const status = (await pat.device.call('GET', '/v1/mfa/recovery-codes')).json<RecoveryCodeStatus>();
    expect(status).toEqual({ total: 10, remaining: 10, createdAt: recoveryCodes?.createdAt });
    const atAal1 = await pat.device.call('POST', '/v1/mfa/recovery-codes');
    expect([atAal1.statusCode, atAal1.json<{ code: string }>().code]).toEqual([401, 'STEP_UP_REQUIRED']);
    const otherDevice = new TestDevice(mfa.app);
    const otherSignIn = await signInWithRecoveryCode(otherDevice, pat.email, 'correct horse battery staple', recoveryCodes?.codes[0] ?? '');
    expect(otherSignIn.statusCode).toBe(201);
    await elevateToAal2(mfa.app, pat);
    mfa.clock.advance(60_000);
    const regenerated = await pat.device.call('POST', '/v1/mfa/recovery-codes');
    expect(regenerated.statusCode).toBe(201);
    const fresh = regenerated.json<RecoveryCodes>();
    expect(fresh.codes).toHaveLength(10);
    expect(fresh.codes.filter((code) => recoveryCodes?.codes.includes(code))).toEqual([]);
    expect((await otherDevice.call('GET', '/v1/accounts/me')).statusCode).toBe(401); // V7.4.3
    expect((await pat.device.call('GET', '/v1/mfa/recovery-codes')).json<RecoveryCodeStatus>()).toEqual({
      total: 10,
      remaining: 10,
      createdAt: new Date(mfa.clock.now()).toISOString(),
    });
  });

  it('answers malformed input with 400 REQUEST_INVALID, never 500', async () => {
    const { enrolment } = await enrolTotp(mfa, pat);
    const url = `/v1/mfa/totp/${enrolment.factorId}/confirm`;
    const attempts: [string, string, unknown][] = [
      ['POST', url, { code: '12345' }],
      ['POST', url, { code: '1234567' }],
      ['POST', url, { code: 'abcdef' }],
      ['POST', url, { code: 123456 }],
      ['POST', url, {}],
      ['POST', url, { code: '123456', extra: true }],
      ['POST', '/v1/mfa/totp/not-a-uuid/confirm', { code: '123456' }],
      ['POST', '/v1/mfa/totp', { label: '' }],
      ['POST', '/v1/mfa/totp', { label: 'x'.repeat(65) }],
      ['POST', '/v1/mfa/totp', { secret: 'JBSWY3DPEHPK3PXP' }],
    ];
    for (const [method, path, payload] of attempts) {
      const response = await pat.device.call(method as 'POST', path, payload);
      expect([path, payload, response.statusCode, response.json<{ code: string }>().code]).toEqual([path, payload, 400, 'REQUEST_INVALID']);
    }
    await elevateToAal2(mfa.app, pat);
    const badId = await pat.device.call('DELETE', '/v1/mfa/totp/../../sessions/current');
    expect(badId.statusCode).toBeLessThan(500);
  });
});
