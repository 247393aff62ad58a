/**
 * Invariant: the session a confirmed passkey-first sign-up opens is only ever handed to whoever
 * controls the mailbox of an account that holds no credential, and it can only register a
 * passkey. An existing account is never entered this way: a sign-up for its address sends no
 * code (only a note to the owner), and confirming the address of a password account opens no
 * session, so its password and second factor still stand (account pre-hijacking). Sign-up
 * answers the same whether or not the address exists. ASVS V6.4.1 (the emailed code is the only
 * proof, single-use and expiring), V6.3.8 (no enumeration), V6.3.3 and V8.2.1 (the enrolment
 * session registers a passkey and nothing else: no authenticator app, no phone, no other route
 * beyond reading the own account and signing out), V6.1.3 (one rule for every way in).
 */
import { outboxMessages } from '../../test-support/outbox.ts';
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { testRequestContext } from '../../test-support/request-context.ts';
import { TestDevice, codeIn, createVerifiedAccount, waitForMail } from '../../test-support/dpop-client.ts';
import { concretePath, operationsOf } from '../../test-support/operations.ts';
import { SoftwareAuthenticator, registerPasskey } from '../../test-support/software-authenticator.ts';
import { createFirstAdmin } from './index.ts';
import { confirmWithDevice, confirmationCode, passkeyFirstEnrolment, signUpWithoutPassword } from './test-support/passkey-first.ts';

const PASSWORD = 'correct horse battery staple';

/**
 * Everything the passkey-first session may call: registering a passkey (and listing passkeys, so
 * an app whose registration answer was lost can see whether it landed), reading the own account
 * and signing out. The route walk below proves every other session route refuses it.
 */
const PASSKEY_FIRST_ROUTES = [
  'POST /v1/passkeys/registration/options',
  'POST /v1/passkeys/registration',
  'GET /v1/passkeys',
  'GET /v1/accounts/me',
  'DELETE /v1/sessions/current',
];
const SIGN_OUT = 'DELETE /v1/sessions/current';

async function mailTo(app: App, email: string): Promise<{ subject: string; body: string }[]> {
  // Mail leaves off the request path; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Oldest first.
  return (await outboxMessages(app, { to: email })).reverse().map((m) => ({ subject: m.subject, body: m.text }));
}

describe.each(testDatabases())('passkey-first sign-up security ($dialect)', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
  });
  afterAll(() => app.close());

  it('V6.3.8: a sign-up without a password answers the same for a taken address, and sends its owner no code', async () => {
    const { email } = await createVerifiedAccount(app, new TestDevice(app), 'owner@example.test');
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    const taken = await signUpWithoutPassword(new TestDevice(app), email);
    const fresh = await signUpWithoutPassword(new TestDevice(app), 'nobody-yet@example.test');
    expect([taken.statusCode, strip(taken.json())]).toEqual([fresh.statusCode, strip(fresh.json())]);
    const mails = await mailTo(app, email);
    expect(mails.at(-1)?.subject).toMatch(/sign-up attempt/i);
    expect(mails.filter((m) => /confirm your email/i.test(m.subject))).toHaveLength(1); // the owner's own sign-up
  });

  it('V6.4.1: confirming the address of a password account opens no session, even with a device and a proof', async () => {
    const email = 'unconfirmed@example.test';
    const device = new TestDevice(app);
    expect((await device.send({ method: 'POST', url: '/v1/accounts', payload: { email, password: PASSWORD } })).statusCode).toBe(202);
    const confirmed = await confirmWithDevice(device, email, await confirmationCode(app, email));
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ email, emailVerified: true });
    expect(device.tokens).toBeUndefined();
  });

  it('pre-hijacking: whoever signs up first without the mailbox gets nothing; the mailbox owner finishes, and a password sent later is never set', async () => {
    const email = 'victim@example.test';
    const attacker = new TestDevice(app);
    expect((await signUpWithoutPassword(attacker, email)).statusCode).toBe(202);
    // Guessing the code spends attempts and opens nothing.
    for (const guess of ['000000', '123456', '999999']) {
      const refused = await confirmWithDevice(attacker, email, guess);
      expect(refused.json<{ code: string }>().code).toBe('VERIFICATION_CODE_INVALID');
    }
    expect(attacker.tokens).toBeUndefined();
    // An attacker's sign-up with a password for the pending address sets nothing on it.
    const codesBefore = (await mailTo(app, email)).length;
    await attacker.send({ method: 'POST', url: '/v1/accounts', payload: { email, password: PASSWORD } });
    // That sign-up mails the owner a fresh code off the request path; wait for it, as the owner would.
    await expect.poll(async () => (await mailTo(app, email)).length, { timeout: 10_000 }).toBeGreaterThan(codesBefore);
    const row = await app.portcullis.database.db
      .selectFrom('accounts')
      .select('password_hash')
      .where('email_index', '=', await emailIndexOf(app, email))
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();
    // The owner reads the newest code in the mailbox and gets the only session.
    const owner = new TestDevice(app);
    expect((await confirmWithDevice(owner, email, await confirmationCode(app, email))).statusCode).toBe(201);
    expect(
      (
        await attacker.send({
          method: 'POST',
          url: '/v1/sessions',
          payload: { email, password: PASSWORD, device: { label: 'x', platform: 'ios' } },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('once a passkey is registered, the address is never entered by email again: a sign-up sends no code, an old code opens nothing', async () => {
    const email = 'settled@example.test';
    const device = await passkeyFirstEnrolment(app, email);
    expect((await registerPasskey(device, new SoftwareAuthenticator())).statusCode).toBe(201);
    const before = (await mailTo(app, email)).length;
    expect((await signUpWithoutPassword(new TestDevice(app), email)).statusCode).toBe(202);
    const after = await mailTo(app, email);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)?.subject).toMatch(/sign-up attempt/i);
    const stale = codeIn((await waitForMail(app, email, { subject: /confirm your email/i })).body);
    expect((await confirmWithDevice(new TestDevice(app), email, stale)).json<{ code: string }>().code).toBe('VERIFICATION_CODE_INVALID');
  });

  it('a staff account without credentials gets no code from a sign-up (only `portcullis admin create` issues one)', async () => {
    const email = 'root@example.test';
    const { database, keyRing, dataProtection, clock } = app.portcullis;
    await createFirstAdmin(
      { db: database.db, keyRing, dataProtection, clock, passwordsEnabled: true },
      email,
      testRequestContext({ db: database.db, clock }),
    );
    expect((await signUpWithoutPassword(new TestDevice(app), email)).statusCode).toBe(202);
    const mails = await mailTo(app, email);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/sign-up attempt/i)]);
  });

  it('V6.3.3: the enrolment session reaches enrolment routes only, and is bound to the confirming device key', async () => {
    const device = await passkeyFirstEnrolment(app, 'bound@example.test');
    const other = new TestDevice(app);
    other.tokens = device.tokens;
    expect((await other.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    for (const [method, url] of [
      ['GET', '/v1/records/me/entries'],
      ['POST', '/v1/accounts/password'],
    ] as const) {
      const refused = await device.call(
        method,
        url,
        method === 'POST' ? { currentPassword: PASSWORD, newPassword: `${PASSWORD}!` } : undefined,
      );
      expect(refused.json<{ code: string }>().code).toBe('MFA_ENROLMENT_REQUIRED');
    }
  });

  it('V6.3.3, V8.2.1: the enrolment session registers a passkey and nothing else (route walk: authenticator app, phone, every other route refused)', async () => {
    const device = await passkeyFirstEnrolment(app, 'walker@example.test');
    const walked = (await operationsOf(app)).filter((op) => op.auth !== 'public' && op.auth !== 'client');
    const routes = walked.map((op) => `${op.method} ${op.path}`);
    // Not vacuous: the second-factor enrolments are among the routes walked.
    expect(routes).toEqual(
      expect.arrayContaining(['POST /v1/mfa/totp', 'POST /v1/mfa/totp/{id}/confirm', 'POST /v1/mfa/phone', ...PASSKEY_FIRST_ROUTES]),
    );
    const outcomes: { route: string; code: string | undefined; expected: string }[] = [];
    for (const op of walked) {
      const route = `${op.method} ${op.path}`;
      if (route === SIGN_OUT) continue; // ends the session: called last
      const withBody = op.method !== 'GET' && op.method !== 'DELETE';
      const response = await device.call(op.method as 'POST', concretePath(op.path), withBody ? {} : undefined);
      // A route above aal1 turns the session away for its level before its restriction is looked at.
      const refusal = op.auth === 'aal1' ? 'MFA_ENROLMENT_REQUIRED' : 'AUTH_LEVEL_INSUFFICIENT';
      const code = response.statusCode >= 400 ? response.json<{ code: string }>().code : undefined;
      outcomes.push({ route, code, expected: PASSKEY_FIRST_ROUTES.includes(route) ? 'reached' : refusal });
    }
    const mismatches = outcomes.filter(({ code, expected }) =>
      expected === 'reached' ? code === 'MFA_ENROLMENT_REQUIRED' || code === 'AUTH_LEVEL_INSUFFICIENT' : code !== expected,
    );
    expect(mismatches).toEqual([]);
    expect((await device.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
  });

  it('V6.3.3: a staff session restricted until it enrols keeps reaching every enrolment, the authenticator app included (that mechanism is unchanged)', async () => {
    const device = new TestDevice(app);
    const { email, password } = await createVerifiedAccount(app, device, 'staff-enrols@example.test');
    await app.portcullis.database.db
      .updateTable('accounts')
      .set({ roles: '["support"]' })
      .where('email_index', '=', await emailIndexOf(app, email))
      .execute();
    expect((await device.signIn(email, password)).statusCode).toBe(201);
    expect((await device.call('POST', '/v1/mfa/totp', { label: 'Phone' })).statusCode).toBe(201);
    expect((await device.call('GET', '/v1/records/me/entries')).json<{ code: string }>().code).toBe('MFA_ENROLMENT_REQUIRED');
  });
});
