/**
 * The sign-in state machine and its limits, on SQLite and PostgreSQL, through HTTP with DPoP:
 * - an account with a second factor never gets a session from its password alone;
 * - the challenge answers only for the DPoP key that passed the password, once;
 * - wrong codes are limited per challenge and per account — even in a concurrent burst — and the
 *   lockout is audited once and mailed to the owner;
 * - a role that needs a passkey is satisfied by nothing else: without one, the session is
 *   restricted to enrolment routes.
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { TokenResponse } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases, type TestDialect } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount, waitForMail } from '../../test-support/dpop-client.ts';
import { Secret, TOTP } from 'otpauth';
import { SoftwareAuthenticator, registerPasskey, signInWithPasskey } from '../../test-support/software-authenticator.ts';
import { issueSession } from '../sessions/index.ts';
import { requiredLevelFor } from './policy.ts';
import { testRequestContext } from '../../test-support/request-context.ts';

const PASSWORD = 'correct horse battery staple';
const START = Date.UTC(2026, 0, 1, 9, 0, 15);

interface Problem {
  code: string;
  challenge?: { token: string; methods: string[]; level: string; expiresIn: number };
}

interface Harness {
  app: App;
  clock: ReturnType<typeof manualClock>;
}

async function buildHarness(dialect: TestDialect): Promise<Harness> {
  const config = testConfig({ dialect, config: { mfa: { attemptsPerAccount: 3, attemptsPerChallenge: 4, lockoutSeconds: 600 } } });
  const clock = manualClock(START);
  const app = await buildApp(config, { logger: createLogger(config), clock });
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  return { app, clock };
}

/** A verified account with a confirmed authenticator app; returns its seed. */
async function accountWithAuthenticatorApp(h: Harness, email: string): Promise<{ secret: string }> {
  const device = new TestDevice(h.app);
  await createVerifiedAccount(h.app, device, email);
  expect((await device.signIn(email, PASSWORD)).statusCode).toBe(201);
  const start = (await device.call('POST', '/v1/mfa/totp', {})).json<{ factorId: string; secret: string }>();
  const confirm = await device.call('POST', `/v1/mfa/totp/${start.factorId}/confirm`, {
    code: authenticatorCode(start.secret, h.clock.now()),
  });
  expect(confirm.statusCode).toBe(200);
  h.clock.advance(30_000); // the confirming code's time step is spent
  return { secret: start.secret };
}

async function setRoles(app: App, email: string, roles: string[]): Promise<void> {
  await app.portcullis.database.db
    .updateTable('accounts')
    .set({ roles: JSON.stringify(roles) })
    .where('email_index', '=', await emailIndexOf(app, email))
    .execute();
}

async function passwordStep(device: TestDevice, email: string) {
  const response = await device.signIn(email, PASSWORD);
  return { status: response.statusCode, problem: response.json<Problem>() };
}

function answer(device: TestDevice, challenge: string, code: string, method = 'totp') {
  return device.send({ method: 'POST', url: '/v1/sessions/mfa', payload: { challenge, method, code } });
}

/** What an authenticator app holding `secret` shows at `nowMs` (RFC 6238, SHA-1, 6 digits, 30 s). */
function authenticatorCode(secret: string, nowMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: nowMs });
}

async function auditCount(app: App, action: string, outcome?: 'success' | 'failure'): Promise<number> {
  let query = app.portcullis.database.db.selectFrom('audit_events').select('log_index').where('action', '=', action);
  if (outcome !== undefined) query = query.where('outcome', '=', outcome);
  return (await query.execute()).length;
}

describe('requiredLevelFor', () => {
  const policy = { patient: 'aal1', clinician: 'aal2_phr', support: 'aal2_phr', admin: 'aal2_phr', auditor: 'aal2_phr' } as const;
  it('takes the strictest role, and a role the policy does not name needs a passkey', () => {
    expect(requiredLevelFor(['patient'], policy)).toBe('aal1');
    expect(requiredLevelFor(['patient', 'clinician'], policy)).toBe('aal2_phr');
    expect(requiredLevelFor(['researcher'], policy)).toBe('aal2_phr');
    expect(requiredLevelFor(['toString'], policy)).toBe('aal2_phr');
    expect(requiredLevelFor([], policy)).toBe('aal1');
  });
});

describe.each(testDatabases())('sign-in assurance on $dialect', ({ dialect }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await buildHarness(dialect);
  });
  afterEach(() => h.app.close());

  it('V6.3.3: with an authenticator app, the password alone answers MFA_REQUIRED; the code completes an aal2 session', async () => {
    const { secret } = await accountWithAuthenticatorApp(h, 'otp@example.test');
    const device = new TestDevice(h.app);
    const first = await passwordStep(device, 'otp@example.test');
    expect(first.status).toBe(401);
    expect(first.problem.code).toBe('MFA_REQUIRED');
    // The verified email is offered too: this patient's role allows email codes (out-of-band.security.test.ts).
    expect(first.problem.challenge).toMatchObject({ methods: ['totp', 'recovery_code', 'email_code'], level: 'aal2', expiresIn: 300 });
    const stored = await h.app.portcullis.database.db.selectFrom('sessions').select('id').execute();
    expect(stored).toHaveLength(1); // only the enrolling session; the password step minted nothing

    const second = await answer(device, first.problem.challenge?.token ?? '', authenticatorCode(secret, h.clock.now()));
    expect(second.statusCode).toBe(201);
    device.tokens = second.json<TokenResponse>();
    expect(device.tokens.aal).toBe('aal2');
    const session = await h.app.portcullis.database.db
      .selectFrom('sessions')
      .select(['amr', 'aal'])
      .where('id', '=', device.tokens.sessionId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(session.amr)).toEqual(['pwd', 'otp', 'mfa']);
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
  });

  it('V6.6.2: the challenge answers only for the DPoP key that passed the password, and only once', async () => {
    const { secret } = await accountWithAuthenticatorApp(h, 'bound@example.test');
    const device = new TestDevice(h.app);
    const token = (await passwordStep(device, 'bound@example.test')).problem.challenge?.token ?? '';
    const thief = new TestDevice(h.app);
    const stolen = await answer(thief, token, authenticatorCode(secret, h.clock.now()));
    expect([stolen.statusCode, stolen.json<Problem>().code]).toEqual([401, 'MFA_CHALLENGE_INVALID']);

    expect((await answer(device, token, authenticatorCode(secret, h.clock.now()))).statusCode).toBe(201);
    h.clock.advance(30_000);
    const again = await answer(device, token, authenticatorCode(secret, h.clock.now()));
    expect([again.statusCode, again.json<Problem>().code]).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    const forged = await answer(device, `${token.slice(0, -4)}AAAA`, authenticatorCode(secret, h.clock.now()));
    expect(forged.json<Problem>().code).toBe('MFA_CHALLENGE_INVALID');
  });

  it('V6.3.1: a challenge accepts a limited number of wrong codes; after that even the right code is refused', async () => {
    // The account budget (3) is smaller than the challenge's (4); use a roomier account budget here.
    await h.app.close();
    const config = testConfig({ dialect, config: { mfa: { attemptsPerAccount: 20, attemptsPerChallenge: 4 } } });
    h.clock = manualClock(START);
    h.app = await buildApp(config, { logger: createLogger(config), clock: h.clock });
    const { secret } = await accountWithAuthenticatorApp(h, 'limit@example.test');
    const device = new TestDevice(h.app);
    const token = (await passwordStep(device, 'limit@example.test')).problem.challenge?.token ?? '';
    for (let i = 0; i < 4; i++) expect((await answer(device, token, '000000')).json<Problem>().code).toBe('MFA_CODE_INVALID');
    const right = await answer(device, token, authenticatorCode(secret, h.clock.now()));
    expect([right.statusCode, right.json<Problem>().code]).toEqual([401, 'MFA_CHALLENGE_INVALID']);
  });

  it('V6.3.1: a concurrent burst of wrong codes cannot exceed the account budget; the lockout is audited once and mailed', async () => {
    const { secret } = await accountWithAuthenticatorApp(h, 'burst@example.test');
    const devices = [new TestDevice(h.app), new TestDevice(h.app), new TestDevice(h.app)];
    const tokens = await Promise.all(
      devices.map(async (d) => (await passwordStep(d, 'burst@example.test')).problem.challenge?.token ?? ''),
    );
    const guesses = devices.flatMap((device, i) =>
      Array.from({ length: 4 }, (_, g) => answer(device, tokens[i] ?? '', String(100000 + i * 10 + g))),
    );
    const codes = (await Promise.all(guesses)).map((r) => r.json<Problem>().code);
    expect(codes.filter((c) => c === 'MFA_CODE_INVALID')).toHaveLength(3); // attemptsPerAccount
    expect(codes.filter((c) => c !== 'MFA_CODE_INVALID').every((c) => c === 'MFA_LOCKED')).toBe(true);
    expect(await auditCount(h.app, 'mfa.totp_verified', 'failure')).toBe(3); // only 3 codes were ever checked
    expect(await auditCount(h.app, 'mfa.factor_locked')).toBe(1);
    const mail = await waitForMail(h.app, 'burst@example.test', { subject: /paused/ });
    expect(mail.body).toMatch(/passkeys still work/i);

    const fresh = new TestDevice(h.app);
    const token = (await passwordStep(fresh, 'burst@example.test')).problem.challenge?.token ?? '';
    const locked = await answer(fresh, token, authenticatorCode(secret, h.clock.now()));
    expect([locked.statusCode, locked.json<Problem>().code]).toEqual([429, 'MFA_LOCKED']);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    h.clock.advance(601_000);
    const later = new TestDevice(h.app);
    const laterToken = (await passwordStep(later, 'burst@example.test')).problem.challenge?.token ?? '';
    expect((await answer(later, laterToken, authenticatorCode(secret, h.clock.now()))).statusCode).toBe(201);
  });

  it('a correct code resets the account budget', async () => {
    const { secret } = await accountWithAuthenticatorApp(h, 'reset@example.test');
    for (let round = 0; round < 3; round++) {
      const device = new TestDevice(h.app);
      const token = (await passwordStep(device, 'reset@example.test')).problem.challenge?.token ?? '';
      for (let i = 0; i < 2; i++) expect((await answer(device, token, '000000')).json<Problem>().code).toBe('MFA_CODE_INVALID');
      expect((await answer(device, token, authenticatorCode(secret, h.clock.now()))).statusCode).toBe(201);
      h.clock.advance(30_000);
    }
  });

  it('V6.3.3, V8.2.1: a staff role without a passkey gets a session that can only enrol one', async () => {
    const device = new TestDevice(h.app);
    await createVerifiedAccount(h.app, device, 'clinician@example.test');
    await setRoles(h.app, 'clinician@example.test', ['clinician']);
    const signIn = await device.signIn('clinician@example.test', PASSWORD);
    expect(signIn.statusCode).toBe(201);
    const stored = await h.app.portcullis.database.db
      .selectFrom('sessions')
      .select('restricted_to')
      .where('id', '=', device.tokens?.sessionId ?? '')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.restricted_to ?? 'null')).toEqual(['passkey', 'totp', 'phone']);
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    expect((await device.call('GET', '/v1/mfa/factors')).statusCode).toBe(200);
    const other = await device.call('POST', '/v1/accounts/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long enough passphrase',
    });
    expect([other.statusCode, other.json<Problem>().code]).toEqual([403, 'MFA_ENROLMENT_REQUIRED']);
    expect((await device.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
  });

  it('an authenticator app does not satisfy a role that needs a passkey, and a passkey challenge refuses codes', async () => {
    const { secret } = await accountWithAuthenticatorApp(h, 'admin@example.test');
    await setRoles(h.app, 'admin@example.test', ['admin']);
    const device = new TestDevice(h.app);
    expect((await device.signIn('admin@example.test', PASSWORD)).statusCode).toBe(201); // restricted: no passkey yet
    const restricted = await device.call('POST', '/v1/accounts/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long enough passphrase',
    });
    expect(restricted.json<Problem>().code).toBe('MFA_ENROLMENT_REQUIRED');

    const account = await h.app.portcullis.database.db
      .selectFrom('accounts')
      .select('id')
      .where('email_index', '=', await emailIndexOf(h.app, 'admin@example.test'))
      .executeTakeFirstOrThrow();
    await h.app.portcullis.database.db
      .insertInto('passkey_credentials')
      .values({
        id: 'pk_test',
        account_id: account.id,
        credential_id: 'Y3JlZGVudGlhbA',
        public_key: 'cHVibGljLWtleQ',
        user_handle: 'dXNlcg',
        sign_count: 0,
        transports: '[]',
        backup_eligible: 0,
        backed_up: 0,
        aaguid: '00000000-0000-0000-0000-000000000000',
        attestation_format: 'none',
        attestation_trust: 'none',
        name: 'Test key',
        created_at: h.clock.now(),
        last_used_at: null,
        suspended_at: null,
        suspended_reason: null,
      })
      .execute();
    const next = new TestDevice(h.app);
    const first = await passwordStep(next, 'admin@example.test');
    expect(first.problem).toMatchObject({ code: 'MFA_REQUIRED', challenge: { methods: ['passkey'], level: 'aal2_phr' } });
    const byCode = await answer(next, first.problem.challenge?.token ?? '', authenticatorCode(secret, h.clock.now()));
    expect([byCode.statusCode, byCode.json<Problem>().code]).toEqual([401, 'MFA_CHALLENGE_INVALID']);
  });

  it('V6.3.3: a clinician enrols a passkey from the restricted session, then signs in with it at aal2_phr', async () => {
    const device = new TestDevice(h.app);
    await createVerifiedAccount(h.app, device, 'newstaff@example.test');
    await setRoles(h.app, 'newstaff@example.test', ['clinician']);
    await device.signIn('newstaff@example.test', PASSWORD);
    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(device, key)).statusCode).toBe(201);
    // The password now leads to a passkey-only challenge, never to a session.
    const next = new TestDevice(h.app);
    expect((await passwordStep(next, 'newstaff@example.test')).problem).toMatchObject({
      code: 'MFA_REQUIRED',
      challenge: { methods: ['passkey'] },
    });
    expect((await signInWithPasskey(next, key)).statusCode).toBe(201);
    expect(next.tokens?.aal).toBe('aal2_phr');
    const full = await next.call('POST', '/v1/accounts/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long enough passphrase',
    });
    expect(full.statusCode).toBe(204);
  });

  it('V6.3.1: locked code factors leave passkey sign-in working', async () => {
    await accountWithAuthenticatorApp(h, 'lockedout@example.test');
    const device = new TestDevice(h.app);
    const first = await passwordStep(device, 'lockedout@example.test');
    const token = first.problem.challenge?.token ?? '';
    for (let i = 0; i < 4; i++) await answer(device, token, '000000');
    expect(await auditCount(h.app, 'mfa.factor_locked')).toBe(1);

    // The owner registers a passkey from an existing session, then signs in with it while codes are locked.
    const owner = new TestDevice(h.app);
    const ownerToken = (await passwordStep(owner, 'lockedout@example.test')).problem.challenge?.token ?? '';
    expect((await answer(owner, ownerToken, '000000')).json<Problem>().code).toBe('MFA_LOCKED');
    const account = await h.app.portcullis.database.db
      .selectFrom('accounts')
      .select('id')
      .where('email_index', '=', await emailIndexOf(h.app, 'lockedout@example.test'))
      .executeTakeFirstOrThrow();
    owner.tokens = await issueSession(
      h.app.portcullis.sessions,
      { accountId: account.id, aal: 'aal2', amr: ['pwd', 'otp'], jkt: owner.key.jkt, device: { label: 'Owner', platform: 'ios' } },
      testRequestContext(h.app.portcullis.sessions),
    );
    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(owner, key)).statusCode).toBe(201);
    const fresh = new TestDevice(h.app);
    expect((await signInWithPasskey(fresh, key)).statusCode).toBe(201);
  });
});
