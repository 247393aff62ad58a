/**
 * Accounts and password sign-in over HTTP, on SQLite and PostgreSQL, through real DPoP proofs:
 * sign-up → emailed code → verification → sign-in → authenticated calls → refresh → sign-out,
 * password change and reset. ASVS V6.2.1 (length), V6.2.12 (breached list), V6.3.8 (no
 * enumeration), V7.4.1 (sign-out), V7.4.3 (revoke others on password change), V9.1.x (tokens).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, codeIn, createVerifiedAccount, waitForMail } from '../../test-support/dpop-client.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(testDatabases())('accounts and sessions over HTTP on $dialect', ({ dialect }) => {
  let app: App;
  let device: TestDevice;
  beforeEach(async () => {
    app = await buildTestApp({ dialect });
    device = new TestDevice(app);
  });
  afterEach(() => app.close());

  it('signs up, verifies the email with the emailed code, signs in and calls the API with DPoP-bound tokens', async () => {
    const { email } = await createVerifiedAccount(app, device, 'pat@example.test');
    const signIn = await device.signIn(email, PASSWORD);
    expect(signIn.statusCode).toBe(201);
    expect(signIn.json()).toMatchObject({ tokenType: 'DPoP', expiresIn: 600, aal: 'aal1' });
    const me = await device.call('GET', '/v1/accounts/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email, emailVerified: true, roles: ['patient'] });
    const sessions = await device.call('GET', '/v1/sessions');
    expect(sessions.json<{ sessions: unknown[] }>().sessions).toEqual([
      expect.objectContaining({
        current: true,
        device: { label: 'Test phone', platform: 'ios' },
        location: expect.stringMatching(/\/24$/) as string,
      }),
    ]);
  });

  it('refuses sign-in before the address is verified, and only after the right password', async () => {
    await device.send({ method: 'POST', url: '/v1/accounts', payload: { email: 'new@example.test', password: PASSWORD } });
    expect((await device.signIn('new@example.test', 'wrong password entirely')).json()).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    const unverified = await device.signIn('new@example.test', PASSWORD);
    expect(unverified.statusCode).toBe(403);
    expect(unverified.json()).toMatchObject({ code: 'AUTH_EMAIL_NOT_VERIFIED' });
  });

  it('refuses a weak or short password at sign-up and says why', async () => {
    const short = await device.send({ method: 'POST', url: '/v1/accounts', payload: { email: 'a@example.test', password: 'Tr0ub4dor&3' } });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({
      code: 'PASSWORD_POLICY_VIOLATION',
      errors: [{ pointer: '/body/password', reason: 'must be at least 15 characters' }],
    });
    const common = await device.send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'a@example.test', password: 'passwordpassword' },
    });
    expect(common.json()).toMatchObject({
      code: 'PASSWORD_POLICY_VIOLATION',
      errors: [{ reason: 'is too common or has appeared in a data breach' }],
    });
  });

  it('answers sign-up for an existing address exactly as for a new one, and tells the owner instead', async () => {
    const { email } = await createVerifiedAccount(app, device, 'owner@example.test');
    const fresh = await device.send({ method: 'POST', url: '/v1/accounts', payload: { email: 'fresh@example.test', password: PASSWORD } });
    const again = await device.send({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'OWNER@example.test', password: 'another long passphrase here' },
    });
    expect([again.statusCode, again.json()]).toEqual([fresh.statusCode, fresh.json()]);
    expect((await waitForMail(app, email, { subject: /sign-up attempt/i })).body).not.toMatch(/\d{6}/);
  });

  it('refuses a bearer (unbound) token and a token presented with another device’s proof', async () => {
    const { email } = await createVerifiedAccount(app, device, 'bound@example.test');
    await device.signIn(email, PASSWORD);
    const token = device.tokens?.accessToken ?? '';
    const bearer = await app.inject({ method: 'GET', url: '/v1/accounts/me', headers: { authorization: `Bearer ${token}` } });
    expect(bearer.statusCode).toBe(401);
    expect(bearer.headers['www-authenticate']).toBe('DPoP algs="ES256 EdDSA"');
    const thief = new TestDevice(app);
    thief.nonce = device.nonce;
    const stolen = await thief.send({ method: 'GET', url: '/v1/accounts/me', accessToken: token });
    expect(stolen.statusCode).toBe(401);
    expect(stolen.json()).toMatchObject({ code: 'AUTH_DPOP_INVALID' });
  });

  it('refuses a replayed proof', async () => {
    const { email } = await createVerifiedAccount(app, device, 'replay@example.test');
    await device.signIn(email, PASSWORD);
    const token = device.tokens?.accessToken ?? '';
    const proof = device.proof('GET', '/v1/accounts/me', token);
    const headers = { authorization: `DPoP ${token}`, dpop: proof };
    expect((await app.inject({ method: 'GET', url: '/v1/accounts/me', headers })).statusCode).toBe(200);
    const replay = await app.inject({ method: 'GET', url: '/v1/accounts/me', headers });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'AUTH_DPOP_INVALID' });
  });

  it('rotates refresh tokens over HTTP and revokes the session when a spent one is replayed', async () => {
    const { email } = await createVerifiedAccount(app, device, 'rotate@example.test');
    await device.signIn(email, PASSWORD);
    const first = device.tokens?.refreshToken ?? '';
    expect((await device.refresh()).statusCode).toBe(200);
    const attacker = new TestDevice(app);
    attacker.nonce = device.nonce;
    expect((await attacker.refresh(first)).statusCode).toBe(401);
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(401); // family revoked
  });

  it('signs out, revokes one session or all others, scoped to the caller', async () => {
    const { email } = await createVerifiedAccount(app, device, 'multi@example.test');
    const phone = device;
    const tablet = new TestDevice(app);
    const laptop = new TestDevice(app);
    await phone.signIn(email, PASSWORD);
    await tablet.signIn(email, PASSWORD);
    await laptop.signIn(email, PASSWORD);
    expect((await phone.call('DELETE', `/v1/sessions/${tablet.tokens?.sessionId ?? ''}`)).json()).toEqual({ revoked: 1 });
    expect((await tablet.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await phone.call('POST', '/v1/sessions/revoke-others')).json()).toEqual({ revoked: 1 });
    expect((await laptop.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await phone.call('DELETE', '/v1/sessions/current')).json()).toEqual({ revoked: 1 });
    expect((await phone.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
  });

  it('changing the password signs out every other session; reset signs out all of them', async () => {
    const { email } = await createVerifiedAccount(app, device, 'change@example.test');
    const other = new TestDevice(app);
    await device.signIn(email, PASSWORD);
    await other.signIn(email, PASSWORD);
    const changed = await device.call('POST', '/v1/accounts/password', {
      currentPassword: PASSWORD,
      newPassword: 'an entirely new passphrase',
    });
    expect(changed.statusCode).toBe(204);
    expect((await other.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);

    const reset = await new TestDevice(app).send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email } });
    expect(reset.statusCode).toBe(202);
    const code = codeIn((await waitForMail(app, email, { subject: /reset/i })).body);
    const confirm = await new TestDevice(app).send({
      method: 'POST',
      url: '/v1/accounts/password-reset/confirm',
      payload: { email, code, newPassword: 'yet another long passphrase' },
    });
    expect(confirm.statusCode).toBe(204);
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    expect((await device.signIn(email, 'yet another long passphrase')).statusCode).toBe(201);
  });

  it('answers a reset request for an unknown address exactly as for a known one', async () => {
    const { email } = await createVerifiedAccount(app, device, 'known@example.test');
    const known = await device.send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email } });
    const unknown = await device.send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email: 'nobody@example.test' } });
    expect([unknown.statusCode, unknown.json()]).toEqual([known.statusCode, known.json()]);
  });

  it('spends a verification code once and stops after the attempt budget', async () => {
    await device.send({ method: 'POST', url: '/v1/accounts', payload: { email: 'budget@example.test', password: PASSWORD } });
    const code = codeIn((await waitForMail(app, 'budget@example.test')).body);
    const wrong = code === '000000' ? '111111' : '000000';
    const guesses = await Promise.all(
      Array.from({ length: 8 }, () =>
        device.send({ method: 'POST', url: '/v1/accounts/verify-email', payload: { email: 'budget@example.test', code: wrong } }),
      ),
    );
    expect(guesses.every((r) => r.statusCode === 400)).toBe(true);
    // The budget (5) is spent: even the right code no longer works.
    const right = await device.send({ method: 'POST', url: '/v1/accounts/verify-email', payload: { email: 'budget@example.test', code } });
    expect(right.json()).toMatchObject({ code: 'VERIFICATION_CODE_INVALID' });
  });
});
