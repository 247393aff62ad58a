/**
 * Security invariants of passkeys, on SQLite and PostgreSQL. Each block states one property and
 * fails if the check that provides it is removed. All responses are real WebAuthn bytes from the
 * software authenticator, sent over HTTP with DPoP.
 *
 * ASVS 5.0: V6.3.3 (phishing-resistant MFA: origin and RP id binding, user verification),
 * V6.3.8 (no enumeration), V6.5.6 (factors can be revoked), V6.6.2 (a challenge is bound to the
 * request it was issued for), V6.7.2 (challenge nonce ≥ 64 bits, unique), V11.5.1 (CSPRNG),
 * V16.3.1 (authentication events are logged), V2.3.4 (limited resources cannot be double-spent
 * under concurrency).
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { Passkey, PasskeyCreationOptions, PasskeyList, Problem } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { buildTestApp, testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import {
  SoftwareAuthenticator,
  TEST_WEB_ORIGIN,
  passkeySignInOptions,
  postPasskeySignIn,
  registerPasskey,
  signInWithPasskey,
} from '../../test-support/software-authenticator.ts';

interface Account {
  readonly email: string;
  /** Signed in with the password: an aal1 session. */
  readonly device: TestDevice;
}

let counter = 0;
async function newAccount(app: App): Promise<Account> {
  counter += 1;
  const email = `person${counter}@example.test`;
  const device = new TestDevice(app);
  // Each person on a network of their own, as in life: one network signs up only so many accounts.
  device.remoteAddress = `198.51.100.${counter % 250}`;
  const { password } = await createVerifiedAccount(app, device, email);
  expect((await device.signIn(email, password)).statusCode).toBe(201);
  return { email, device };
}

/** An account with one registered passkey. */
async function accountWithPasskey(app: App, options: ConstructorParameters<typeof SoftwareAuthenticator>[0] = {}) {
  const account = await newAccount(app);
  const authenticator = new SoftwareAuthenticator(options);
  const registered = await registerPasskey(account.device, authenticator);
  expect(registered.statusCode).toBe(201);
  return { ...account, authenticator, passkey: registered.json<Passkey>() };
}

function problem(response: LightMyRequestResponse): [number, string] {
  return [response.statusCode, response.json<Problem>().code];
}

async function auditRows(app: App, action: string) {
  return app.portcullis.database.db.selectFrom('audit_events').selectAll().where('action', '=', action).execute();
}

async function registrationOptions(device: TestDevice): Promise<PasskeyCreationOptions> {
  return (await device.call('POST', '/v1/passkeys/registration/options', {})).json<PasskeyCreationOptions>();
}

describe.each(testDatabases())('passkey security invariants on $dialect', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
  });
  afterAll(() => app.close());

  describe('V6.3.3 phishing resistance: a response made for another origin or relying party is refused', () => {
    it('refuses a registration signed for another origin (a phishing site relaying the ceremony)', async () => {
      const { device } = await newAccount(app);
      const response = await registerPasskey(device, new SoftwareAuthenticator(), {
        overrides: { origin: 'https://portcullis.test.evil.example' },
      });
      expect(problem(response)).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
      expect((await device.call('GET', '/v1/passkeys')).json<PasskeyList>().passkeys).toEqual([]);
    });

    it('refuses a sign-in signed for another origin', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const response = await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { origin: 'https://evil.example' } });
      expect(problem(response)).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
    });

    it('refuses registration and sign-in whose authenticator data names another RP id', async () => {
      const { device } = await newAccount(app);
      const registration = await registerPasskey(device, new SoftwareAuthenticator(), { overrides: { rpId: 'evil.example' } });
      expect(problem(registration)).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
      const { authenticator } = await accountWithPasskey(app);
      const signIn = await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { rpId: 'evil.example' } });
      expect(problem(signIn)).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
      const reasons = (await auditRows(app, 'passkey.sign_in_failed')).map((r) => r.reason);
      expect(reasons).toContain('rp_id_mismatch');
    });

    it('refuses a response of the other ceremony type (webauthn.get offered as webauthn.create)', async () => {
      const { device } = await newAccount(app);
      const response = await registerPasskey(device, new SoftwareAuthenticator(), { overrides: { type: 'webauthn.get' } });
      expect(problem(response)).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
    });
  });

  describe('V6.3.3 multi-factor: user verification is required', () => {
    it('refuses a registration without the UV flag', async () => {
      const { device } = await newAccount(app);
      const response = await registerPasskey(device, new SoftwareAuthenticator(), { overrides: { userVerified: false } });
      expect(problem(response)).toEqual([400, 'PASSKEY_REGISTRATION_INVALID']);
    });

    it('refuses a sign-in without the UV flag', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const response = await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { userVerified: false } });
      expect(problem(response)).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
      expect((await auditRows(app, 'passkey.sign_in_failed')).map((r) => r.reason)).toContain('user_not_verified');
    });
  });

  describe('V6.7.2 challenges are 256-bit CSPRNG values, unique, and never stored in clear', () => {
    it('issues a different 32-byte challenge every time and stores only its hash', async () => {
      const challenges = await Promise.all(Array.from({ length: 20 }, async () => (await passkeySignInOptions(app)).challenge));
      expect(new Set(challenges).size).toBe(20);
      for (const challenge of challenges) expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
      const stored = await app.portcullis.database.db.selectFrom('passkey_challenges').select('challenge_hash').execute();
      const hashes = new Set(stored.map((r) => r.challenge_hash));
      for (const challenge of challenges) expect(hashes.has(challenge)).toBe(false);
    });
  });

  describe('V6.6.2 a challenge works once, for the ceremony and session it was issued to', () => {
    it('refuses a replayed sign-in response, even on the DPoP key that used it first', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const request = await passkeySignInOptions(app);
      const assertion = authenticator.assert(request, { origin: TEST_WEB_ORIGIN });
      const device = new TestDevice(app);
      expect((await postPasskeySignIn(device, assertion)).statusCode).toBe(201);
      expect(problem(await postPasskeySignIn(device, assertion))).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
      expect(problem(await postPasskeySignIn(new TestDevice(app), assertion))).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
      expect((await auditRows(app, 'passkey.sign_in_failed')).map((r) => r.reason)).toContain('challenge_used');
    });

    it('lets exactly one of concurrent submissions of the same response through', async () => {
      const { authenticator } = await accountWithPasskey(app, { counter: 'zero' });
      const assertion = authenticator.assert(await passkeySignInOptions(app), { origin: TEST_WEB_ORIGIN });
      // Nonce round trips happen before the challenge is touched, so every device gets a real attempt.
      const devices = Array.from({ length: 5 }, () => new TestDevice(app));
      const results = await Promise.all(devices.map((d) => postPasskeySignIn(d, assertion)));
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400, 400, 400, 400]);
    });

    it('refuses a registration challenge answered from another account', async () => {
      const victim = await newAccount(app);
      const attacker = await newAccount(app);
      const options = await registrationOptions(victim.device);
      const credential = new SoftwareAuthenticator().register(options, { origin: TEST_WEB_ORIGIN });
      const response = await attacker.device.call('POST', '/v1/passkeys/registration', { name: 'stolen', credential });
      expect(problem(response)).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
      expect((await auditRows(app, 'passkey.registration_failed')).map((r) => r.reason)).toContain('challenge_other_owner');
    });

    it('refuses a registration challenge answered from another session of the same account', async () => {
      const { email, device } = await newAccount(app);
      const second = new TestDevice(app);
      expect((await second.signIn(email, 'correct horse battery staple')).statusCode).toBe(201);
      const credential = new SoftwareAuthenticator().register(await registrationOptions(device), { origin: TEST_WEB_ORIGIN });
      expect(problem(await second.call('POST', '/v1/passkeys/registration', { name: 'x', credential }))).toEqual([
        400,
        'PASSKEY_CHALLENGE_INVALID',
      ]);
      // The foreign attempt neither succeeds nor spends the challenge: the session that asked still can.
      expect((await device.call('POST', '/v1/passkeys/registration', { name: 'x', credential })).statusCode).toBe(201);
    });

    it('refuses a sign-in challenge used for registration and a registration challenge used for sign-in', async () => {
      const { device, authenticator } = await accountWithPasskey(app);
      const signInChallenge = (await passkeySignInOptions(app)).challenge;
      const asRegistration = await registerPasskey(device, new SoftwareAuthenticator(), { overrides: { challenge: signInChallenge } });
      expect(problem(asRegistration)).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
      const registrationChallenge = (await registrationOptions(device)).challenge;
      const asSignIn = await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { challenge: registrationChallenge } });
      expect(problem(asSignIn)).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
    });

    it('refuses a challenge the server never issued', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const forged = Buffer.alloc(32, 1).toString('base64url');
      const response = await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { challenge: forged } });
      expect(problem(response)).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
    });

    it('does not spend the challenge when the DPoP proof is missing, so the client can retry', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const assertion = authenticator.assert(await passkeySignInOptions(app), { origin: TEST_WEB_ORIGIN });
      const payload = { credential: assertion, device: { label: 'x', platform: 'web' } };
      const withoutProof = await app.inject({ method: 'POST', url: '/v1/passkeys/sign-in', payload });
      expect(problem(withoutProof)).toEqual([401, 'AUTH_DPOP_INVALID']);
      expect((await postPasskeySignIn(new TestDevice(app), assertion)).statusCode).toBe(201);
    });
  });

  describe('V6.3.8 no enumeration: an unknown credential answers exactly like a bad signature', () => {
    it('gives the same status, code and body for an unknown credential and a wrong signature', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const stranger = new SoftwareAuthenticator();
      stranger.register(
        { challenge: 'x', rp: { id: 'portcullis.test', name: 'x' }, user: { id: 'AAAAAAAAAAAAAAAAAAAAAA' } },
        { origin: TEST_WEB_ORIGIN },
      );
      const unknown = await signInWithPasskey(new TestDevice(app), stranger);
      const assertion = authenticator.assert(await passkeySignInOptions(app), { origin: TEST_WEB_ORIGIN });
      const forgedSignature = Buffer.from(assertion.response.signature, 'base64url');
      const last = forgedSignature.length - 1;
      forgedSignature.writeUInt8(forgedSignature.readUInt8(last) ^ 1, last);
      const badSignature = await postPasskeySignIn(new TestDevice(app), {
        ...assertion,
        response: { ...assertion.response, signature: forgedSignature.toString('base64url') },
      });
      const strip = (r: LightMyRequestResponse) => {
        const { requestId: _requestId, ...rest } = r.json<Problem & { requestId: string }>();
        return [r.statusCode, rest];
      };
      expect(strip(unknown)).toEqual(strip(badSignature));
      expect(problem(unknown)).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
      const reasons = (await auditRows(app, 'passkey.sign_in_failed')).map((r) => r.reason);
      expect(reasons).toEqual(expect.arrayContaining(['unknown_credential', 'signature_invalid']));
    });

    it('refuses an assertion whose user handle names another user', async () => {
      const { authenticator } = await accountWithPasskey(app);
      const other = Buffer.alloc(16, 9).toString('base64url');
      const response = await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { userHandle: other } });
      expect(problem(response)).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
      expect((await auditRows(app, 'passkey.sign_in_failed')).map((r) => r.reason)).toContain('user_handle_mismatch');
    });

    it('refuses a passkey of a locked account', async () => {
      const { email, authenticator } = await accountWithPasskey(app);
      await app.portcullis.database.db
        .updateTable('accounts')
        .set({ status: 'locked' })
        .where('email_index', '=', await emailIndexOf(app, email))
        .execute();
      expect(problem(await signInWithPasskey(new TestDevice(app), authenticator))).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
    });
  });

  describe('WebAuthn §6.1.1 cloned authenticators: a signature counter that does not move forward', () => {
    it('is refused, audited as passkey.clone_detected, and suspends the passkey for good', async () => {
      const { device, authenticator, passkey } = await accountWithPasskey(app, { backupEligible: false });
      const clone = authenticator.clone();
      expect((await signInWithPasskey(new TestDevice(app), authenticator)).statusCode).toBe(201);
      expect((await signInWithPasskey(new TestDevice(app), authenticator)).statusCode).toBe(201);
      // The clone was copied at counter 0 and now signs 1: behind the 2 the server has seen.
      const cloned = await signInWithPasskey(new TestDevice(app), clone);
      expect(problem(cloned)).toEqual([401, 'PASSKEY_SIGN_IN_FAILED']);
      const detected = await auditRows(app, 'passkey.clone_detected');
      expect(detected.map((r) => [r.outcome, r.reason])).toEqual([['failure', 'counter_regression']]);
      const list = (await device.call('GET', '/v1/passkeys')).json<PasskeyList>();
      expect(list.passkeys.find((p) => p.id === passkey.id)?.suspended).toBe(true);
      // Suspended: even the original, with a counter ahead of everything, is refused now.
      expect(problem(await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { counter: 1000 } }))).toEqual([
        401,
        'PASSKEY_SIGN_IN_FAILED',
      ]);
    });

    it('refuses a counter that falls back to zero', async () => {
      const { authenticator } = await accountWithPasskey(app, { backupEligible: false });
      expect((await signInWithPasskey(new TestDevice(app), authenticator)).statusCode).toBe(201);
      expect(problem(await signInWithPasskey(new TestDevice(app), authenticator, { overrides: { counter: 0 } }))).toEqual([
        401,
        'PASSKEY_SIGN_IN_FAILED',
      ]);
    });

    it('lets only one of an original and its clone through when both sign the same counter concurrently', async () => {
      const { authenticator } = await accountWithPasskey(app, { backupEligible: false });
      const clone = authenticator.clone();
      const [first, second] = await Promise.all([
        passkeySignInOptions(app).then((o) => postPasskeySignIn(new TestDevice(app), authenticator.assert(o, { origin: TEST_WEB_ORIGIN }))),
        passkeySignInOptions(app).then((o) => postPasskeySignIn(new TestDevice(app), clone.assert(o, { origin: TEST_WEB_ORIGIN }))),
      ]);
      expect([first.statusCode, second.statusCode].sort()).toEqual([201, 401]);
    });

    it('accepts authenticators that always report 0 (synced passkeys)', async () => {
      const { authenticator } = await accountWithPasskey(app, { counter: 'zero' });
      for (let i = 0; i < 3; i++) expect((await signInWithPasskey(new TestDevice(app), authenticator)).statusCode).toBe(201);
    });
  });

  describe('V6.5.6 / V6.3.3 staff keep a phishing-resistant factor', () => {
    async function staffWithTwoPasskeys() {
      const account = await accountWithPasskey(app);
      const second = new SoftwareAuthenticator();
      const secondPasskey = (await registerPasskey(account.device, second)).json<Passkey>();
      await app.portcullis.database.db
        .updateTable('accounts')
        .set({ roles: '["clinician"]' })
        .where('email_index', '=', await emailIndexOf(app, account.email))
        .execute();
      const strong = new TestDevice(app);
      expect((await signInWithPasskey(strong, account.authenticator)).statusCode).toBe(201);
      return { ...account, secondPasskey, strong };
    }

    it('refuses to remove a staff account’s last passkey, and audits the refusal', async () => {
      const { passkey, secondPasskey, strong } = await staffWithTwoPasskeys();
      expect((await strong.call('DELETE', `/v1/passkeys/${secondPasskey.id}`)).statusCode).toBe(204);
      expect(problem(await strong.call('DELETE', `/v1/passkeys/${passkey.id}`))).toEqual([409, 'PASSKEY_LAST_FACTOR']);
      expect((await strong.call('GET', '/v1/passkeys')).json<PasskeyList>().passkeys.map((p) => p.id)).toEqual([passkey.id]);
      expect((await auditRows(app, 'passkey.removal_refused')).map((r) => r.reason)).toContain('last_phishing_resistant_factor');
    });

    it('also keeps the last passkey of a role the policy does not name (it needs aal2_phr) but lets a patient remove theirs', async () => {
      const { email, passkey, strong } = await staffWithTwoPasskeys();
      await app.portcullis.database.db
        .updateTable('accounts')
        .set({ roles: '["researcher"]' })
        .where('email_index', '=', await emailIndexOf(app, email))
        .execute();
      const others = (await strong.call('GET', '/v1/passkeys')).json<PasskeyList>().passkeys.filter((p) => p.id !== passkey.id);
      for (const other of others) expect((await strong.call('DELETE', `/v1/passkeys/${other.id}`)).statusCode).toBe(204);
      expect(problem(await strong.call('DELETE', `/v1/passkeys/${passkey.id}`))).toEqual([409, 'PASSKEY_LAST_FACTOR']);
      await app.portcullis.database.db
        .updateTable('accounts')
        .set({ roles: '["patient"]' })
        .where('email_index', '=', await emailIndexOf(app, email))
        .execute();
      expect((await strong.call('DELETE', `/v1/passkeys/${passkey.id}`)).statusCode).toBe(204);
    });

    it('does not count a suspended passkey as a factor that remains', async () => {
      const { passkey, secondPasskey, strong } = await staffWithTwoPasskeys();
      await app.portcullis.database.db
        .updateTable('passkey_credentials')
        .set({ suspended_at: Date.now(), suspended_reason: 'counter_regression' })
        .where('id', '=', secondPasskey.id)
        .execute();
      expect(problem(await strong.call('DELETE', `/v1/passkeys/${passkey.id}`))).toEqual([409, 'PASSKEY_LAST_FACTOR']);
    });

    it('lets only one of two concurrent removals through, so the last passkey stays', async () => {
      const { passkey, secondPasskey, strong } = await staffWithTwoPasskeys();
      const results = await Promise.all([
        strong.call('DELETE', `/v1/passkeys/${passkey.id}`),
        strong.call('DELETE', `/v1/passkeys/${secondPasskey.id}`),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([204, 409]);
      expect((await strong.call('GET', '/v1/passkeys')).json<PasskeyList>().passkeys).toHaveLength(1);
    });
  });

  describe('V16.3.1 passkey events are audited without secrets', () => {
    it('records registration and sign-in with actor and session, and no credential material', async () => {
      const { authenticator, email } = await accountWithPasskey(app);
      expect((await signInWithPasskey(new TestDevice(app), authenticator)).statusCode).toBe(201);
      const { id: accountId } = await app.portcullis.database.db
        .selectFrom('accounts')
        .select('id')
        .where('email_index', '=', await emailIndexOf(app, email))
        .executeTakeFirstOrThrow();
      const ofAccount = async (action: string) => (await auditRows(app, action)).filter((row) => row.subject_id === accountId);
      const [registered] = await ofAccount('passkey.registered');
      const [authenticated] = await ofAccount('passkey.authenticated');
      if (!registered || !authenticated) throw new Error('passkey events missing from the audit log');
      // Registration is the signed-in owner's act, in the session that asked for it.
      const owner = await app.portcullis.database.db
        .selectFrom('sessions')
        .select('account_id')
        .where('id', '=', registered.session_id ?? '')
        .executeTakeFirst();
      expect([registered.actor_id, owner?.account_id]).toEqual([accountId, accountId]);
      // A passkey sign-in has nobody signed in yet: the credential's account acts, in no session.
      expect([authenticated.actor_id, authenticated.subject_id, authenticated.session_id]).toEqual([accountId, accountId, null]);
      for (const row of [registered, authenticated]) {
        expect(row.request_id).not.toBeNull();
        expect(JSON.stringify(row)).not.toContain(authenticator.credentialIds[0]);
      }
    });
  });
});

describe.each(testDatabases())('V6.3.3 staff keep a passkey even under a relaxed role policy on $dialect', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect, config: { mfa: { requiredLevel: { clinician: 'aal2' } } } });
  });
  afterAll(() => app.close());

  it('refuses to remove a clinician’s last passkey when the policy asks clinicians for aal2 only', async () => {
    const { email, passkey, authenticator } = await accountWithPasskey(app);
    await app.portcullis.database.db
      .updateTable('accounts')
      .set({ roles: '["clinician"]' })
      .where('email_index', '=', await emailIndexOf(app, email))
      .execute();
    const strong = new TestDevice(app);
    expect((await signInWithPasskey(strong, authenticator)).statusCode).toBe(201);
    expect(problem(await strong.call('DELETE', `/v1/passkeys/${passkey.id}`))).toEqual([409, 'PASSKEY_LAST_FACTOR']);
  });
});

describe.each(testDatabases())('passkey challenge lifetime on $dialect', ({ dialect }) => {
  const clock = manualClock(Date.now());
  const config = testConfig({ dialect, config: { passkeys: { challengeTtlSeconds: 60 } } satisfies ConfigOverrides });
  let app: App;
  beforeAll(async () => {
    app = await buildApp(config, { clock });
  });
  afterAll(async () => {
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('V6.6.2 refuses a registration or sign-in challenge answered after it expired', async () => {
    const { device, authenticator } = await accountWithPasskey(app);
    const registration = await registrationOptions(device);
    const signIn = await passkeySignInOptions(app);
    expect([registration.timeout, signIn.timeout]).toEqual([60_000, 60_000]);
    clock.advance(60_000);
    const lateRegistration = new SoftwareAuthenticator().register(registration, { origin: TEST_WEB_ORIGIN });
    expect(problem(await device.call('POST', '/v1/passkeys/registration', { name: 'late', credential: lateRegistration }))).toEqual([
      400,
      'PASSKEY_CHALLENGE_INVALID',
    ]);
    const lateSignIn = authenticator.assert(signIn, { origin: TEST_WEB_ORIGIN });
    expect(problem(await postPasskeySignIn(new TestDevice(app), lateSignIn))).toEqual([400, 'PASSKEY_CHALLENGE_INVALID']);
    // One millisecond earlier it would have worked.
    const fresh = await passkeySignInOptions(app);
    clock.advance(59_999);
    expect((await postPasskeySignIn(new TestDevice(app), authenticator.assert(fresh, { origin: TEST_WEB_ORIGIN }))).statusCode).toBe(201);
  });
});
