/**
 * Takeover defences at password sign-in (ASVS V6.3.1 credential stuffing, V6.2.12 breached
 * passwords, V6.3.3/V6.3.5 suspicious sign-ins), stated as invariants:
 * - New-device confirmation: a correct password for an account without a second factor, from a
 *   DPoP key the account has never used, yields no tokens, only a challenge answered by the code
 *   emailed for it, from that same key. The network does not vouch for a device; a staff account
 *   that has no factor yet cannot be enrolled by whoever holds its password; another key cannot
 *   answer; the answer works once, even sent in parallel.
 * - Accounts with a second factor are asked for it as before, with no extra step (sdk.int.test.ts,
 *   "adds an authenticator app…": a new device gets `totp`, `recovery_code`, `email_code`).
 * - A known-breached password opens a session that can only change the password, also when the
 *   sign-in went through a challenge first.
 * Each test fails when its protection is removed (`defense.newDevice.confirm`,
 * `defense.breachedPasswords.checkAtSignIn`, the DPoP binding of the challenge).
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenResponse } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/index.ts';
import { buildTestApp, testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases, type TestDialect } from '../../test-support/databases.ts';
import { TestDevice, codeIn, createVerifiedAccount, waitForMail } from '../../test-support/dpop-client.ts';
import { createPasswordHasher } from '../accounts/index.ts';

const PASSWORD = 'correct horse battery staple';
/** A line of the bundled breached-password list (see blocklist.test.ts). */
const BREACHED = 'qwerty123456789';

interface Problem {
  code: string;
  challenge?: { token: string; methods: string[]; level: string; reason?: string };
}

async function sessionCount(app: App): Promise<number> {
  const rows = await app.portcullis.database.db.selectFrom('sessions').select('id').execute();
  return rows.length;
}

/** The token of a device-confirmation challenge, after checking its shape. */
function deviceChallenge(response: LightMyRequestResponse, reason = 'new_device'): string {
  expect(response.statusCode).toBe(401);
  const problem = response.json<Problem>();
  expect(problem).toMatchObject({ code: 'MFA_REQUIRED', challenge: { methods: ['email_code'], level: 'aal1', reason } });
  return problem.challenge?.token ?? '';
}

async function emailedCode(app: App, device: TestDevice, email: string, challenge: string): Promise<string> {
  const sent = await device.send({ method: 'POST', url: '/v1/sessions/mfa/send', payload: { challenge, channel: 'email' } });
  expect(sent.statusCode).toBe(202);
  return codeIn((await waitForMail(app, email, { subject: /sign-in code/i })).body);
}

function answer(device: TestDevice, challenge: string, code: string, method = 'email_code') {
  return device.send({ method: 'POST', url: '/v1/sessions/mfa', payload: { challenge, method, code } });
}

async function setPassword(app: App, dialect: TestDialect, email: string, password: string): Promise<void> {
  const hasher = await createPasswordHasher({ config: testConfig({ dialect }).passwords });
  await app.portcullis.database.db
    .updateTable('accounts')
    .set({ password_hash: await hasher.hashPassword(password) })
    .where('email_index', '=', await emailIndexOf(app, email))
    .execute();
}

describe.each(testDatabases())('takeover defences at password sign-in ($dialect)', ({ dialect }) => {
  let app: App;
  let phone: TestDevice;
  const build = async (config?: ConfigOverrides) => {
    app = await buildTestApp({ dialect, ...(config ? { config } : {}) });
    phone = new TestDevice(app);
  };
  afterEach(() => app.close());

  describe('with the default configuration', () => {
    beforeEach(() => build());

    it('V6.3.1: a correct password from a device key the account never used yields no tokens, only a challenge', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'ada@example.test');
      const before = await sessionCount(app);
      const stranger = new TestDevice(app);
      const response = await stranger.signIn(email, PASSWORD, { confirmNewDevice: false });
      deviceChallenge(response);
      expect(JSON.stringify(response.json())).not.toContain('accessToken');
      expect(await sessionCount(app)).toBe(before);
      // The device the person verified their address on signs in without a code.
      expect((await phone.signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
    });

    it('V6.3.1: the network does not vouch for a device: a colleague on the same address is still a new device', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'office@example.test');
      phone.remoteAddress = '198.51.100.20';
      expect((await phone.signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
      const colleague = new TestDevice(app);
      colleague.remoteAddress = '198.51.100.20';
      deviceChallenge(await colleague.signIn(email, PASSWORD, { confirmNewDevice: false }));
    });

    it('V6.3.1: only the key that earned the challenge can answer it; then that key is a known device', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'bound@example.test');
      const laptop = new TestDevice(app);
      const challenge = deviceChallenge(await laptop.signIn(email, PASSWORD, { confirmNewDevice: false }));
      const code = await emailedCode(app, laptop, email, challenge);
      const thief = new TestDevice(app);
      const stolen = await answer(thief, challenge, code);
      expect(stolen.statusCode).toBe(401);
      expect(stolen.json()).toMatchObject({ code: 'MFA_CHALLENGE_INVALID' });
      const confirmed = await answer(laptop, challenge, code);
      expect(confirmed.statusCode).toBe(201);
      const tokens = confirmed.json<TokenResponse>();
      expect(tokens.aal).toBe('aal1'); // an emailed code confirms a device; it is not a second factor
      expect(tokens.restriction).toBeUndefined();
      expect((await laptop.signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
    });

    it('V6.3.1: a device challenge is answered by the emailed code only (not SMS, not an app code), and works once in parallel', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'once@example.test');
      const tablet = new TestDevice(app);
      const challenge = deviceChallenge(await tablet.signIn(email, PASSWORD, { confirmNewDevice: false }));
      const sms = await tablet.send({ method: 'POST', url: '/v1/sessions/mfa/send', payload: { challenge, channel: 'sms' } });
      expect(sms.json()).toMatchObject({ code: 'MFA_METHOD_NOT_ALLOWED' });
      expect((await answer(tablet, challenge, '123456', 'totp')).json()).toMatchObject({ code: 'MFA_METHOD_NOT_ALLOWED' });
      const code = await emailedCode(app, tablet, email, challenge);
      const before = await sessionCount(app);
      const answers = await Promise.all(Array.from({ length: 6 }, () => answer(tablet, challenge, code)));
      expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(1);
      expect(await sessionCount(app)).toBe(before + 1);
    });

    it('V6.3.3: a staff account without a factor yet cannot be enrolled by whoever holds its password on a new device', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'clinician@example.test');
      await app.portcullis.database.db
        .updateTable('accounts')
        .set({ roles: '["clinician"]' })
        .where('email_index', '=', await emailIndexOf(app, email))
        .execute();
      const intruder = new TestDevice(app);
      const challenge = deviceChallenge(await intruder.signIn(email, PASSWORD, { confirmNewDevice: false }));
      expect(await sessionCount(app)).toBe(0);
      // The person, on their own new device, confirms it and gets the enrolment-only session.
      const confirmed = await answer(intruder, challenge, await emailedCode(app, intruder, email, challenge));
      expect(confirmed.json<TokenResponse>().restriction).toEqual({
        reason: 'second_factor_required',
        allows: ['passkey', 'totp', 'phone'],
      });
    });

    it('V6.2.12: a breached password on a known device opens a session that can only change the password', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'breached@example.test');
      await setPassword(app, dialect, email, BREACHED);
      const response = await phone.signIn(email, BREACHED, { confirmNewDevice: false });
      expect(response.statusCode).toBe(201);
      expect(response.json<TokenResponse>().restriction).toEqual({ reason: 'password_breached', allows: ['password'] });
      expect((await phone.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
      const elsewhere = await phone.call('GET', '/v1/sessions');
      expect(elsewhere.statusCode).toBe(403);
      expect(elsewhere.json()).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED' });
      const changed = await phone.call('POST', '/v1/accounts/password', {
        currentPassword: BREACHED,
        newPassword: 'a brand new unbreached passphrase',
      });
      expect(changed.statusCode).toBe(204);
      const again = await phone.signIn(email, 'a brand new unbreached passphrase', { confirmNewDevice: false });
      expect(again.statusCode).toBe(201);
      expect(again.json<TokenResponse>().restriction).toBeUndefined();
      const audit = await app.portcullis.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', '=', 'session.password_breached')
        .execute();
      expect(audit).toHaveLength(1);
    });

    it('V6.2.12: the breached-password restriction holds after a new-device confirmation', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'breached-new@example.test');
      await setPassword(app, dialect, email, BREACHED);
      const laptop = new TestDevice(app);
      const challenge = deviceChallenge(await laptop.signIn(email, BREACHED, { confirmNewDevice: false }));
      const confirmed = await answer(laptop, challenge, await emailedCode(app, laptop, email, challenge));
      expect(confirmed.json<TokenResponse>().restriction).toEqual({ reason: 'password_breached', allows: ['password'] });
    });
  });

  describe('in attack mode', () => {
    beforeEach(() => build({ defense: { attackMode: { minFailures: 10 } } }));

    it('V6.3.1: a password sign-in confirms by email unless it comes from a known device on a network that device used before', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'wave@example.test');
      expect((await phone.signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
      // A wave: wrong passwords for addresses nobody has, far above the usual (none) rate.
      const bot = new TestDevice(app);
      bot.remoteAddress = '198.51.100.7';
      for (let i = 0; i < 12; i += 1)
        expect((await bot.signIn(`leaked-${i}@example.test`, 'a leaked old passphrase')).statusCode).toBe(401);
      // At home on their own phone, the person is not asked.
      expect((await phone.signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
      // The same device key from a network it never used (a key copied off the phone) is.
      phone.remoteAddress = '203.0.113.9';
      const challenge = deviceChallenge(await phone.signIn(email, PASSWORD, { confirmNewDevice: false }), 'attack_mode');
      const confirmed = await answer(phone, challenge, await emailedCode(app, phone, email, challenge));
      expect(confirmed.statusCode).toBe(201);
      expect(confirmed.json<TokenResponse>().aal).toBe('aal1');
      // Confirmed from there, that network is now one the device has used.
      expect((await phone.signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
    });

    it('V6.3.1: with new-device confirmation off, attack mode still asks a device the account never used', async () => {
      await app.close();
      await build({ defense: { attackMode: { minFailures: 10 }, newDevice: { confirm: false } } });
      const { email } = await createVerifiedAccount(app, phone, 'wave-off@example.test');
      expect((await new TestDevice(app).signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
      const bot = new TestDevice(app);
      for (let i = 0; i < 12; i += 1) await bot.signIn(`leaked-${i}@example.test`, 'a leaked old passphrase');
      deviceChallenge(await new TestDevice(app).signIn(email, PASSWORD, { confirmNewDevice: false }), 'attack_mode');
    });
  });

  describe('switched off', () => {
    beforeEach(() => build({ defense: { newDevice: { confirm: false }, breachedPasswords: { checkAtSignIn: false } } }));

    it('a new device signs in with the password alone, and a breached password opens a full session', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'off@example.test');
      expect((await new TestDevice(app).signIn(email, PASSWORD, { confirmNewDevice: false })).statusCode).toBe(201);
      await setPassword(app, dialect, email, BREACHED);
      const breached = await phone.signIn(email, BREACHED, { confirmNewDevice: false });
      expect(breached.json<TokenResponse>().restriction).toBeUndefined();
    });
  });

  describe('with email codes off as a second factor', () => {
    beforeEach(() => build({ mfa: { emailCodes: { enabled: false } } }));

    it('a new device is still confirmed by email: the mailbox is what confirmation trusts', async () => {
      const { email } = await createVerifiedAccount(app, phone, 'noemail@example.test');
      const laptop = new TestDevice(app);
      const challenge = deviceChallenge(await laptop.signIn(email, PASSWORD, { confirmNewDevice: false }));
      expect((await answer(laptop, challenge, await emailedCode(app, laptop, email, challenge))).statusCode).toBe(201);
    });
  });
});
