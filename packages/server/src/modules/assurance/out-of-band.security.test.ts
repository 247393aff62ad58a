/**
 * One-time codes sent by email or SMS as second factors of the sign-in challenge, on SQLite and
 * PostgreSQL, through HTTP with DPoP. Stated as invariants:
 * - ASVS V6.6.1, V6.3.3 (NIST SP 800-63B §5.1.3.3): email and SMS codes serve only accounts whose
 *   roles need `aal1` (people who chose a second factor), to a verified email or a confirmed
 *   phone, when enabled — never staff. Enforced when the challenge is offered, when a code is
 *   sent and when a code answers, each against the account's roles as they are at that moment.
 * - V6.6.2: a code answers only the challenge it was sent for, sent only to the DPoP key that
 *   earned the challenge.
 * - V6.6.3, V6.3.1: sending is throttled per challenge (30 s apart, 3 at most, a newer code
 *   replaces the older one); wrong codes spend the challenge's attempts and the account-wide
 *   budget, whose lockout covers them.
 * - V6.5.1, V6.5.5: a code works once and expires.
 * - V13.3.1, V14.2.6, V16.2.5: no stored column holds a phone number or a code in clear (the
 *   development outbox included: it keeps them sealed), and no log line holds a number, a code
 *   or the SMS provider's token.
 */
import { outboxMessages } from '../../test-support/outbox.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MfaCodeSent, TokenResponse, TotpEnrolment } from '@portcullis/protocol';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { App } from '../../app.ts';
import { testDatabases, type TestDialect } from '../../test-support/databases.ts';
import { TestDevice, codeIn } from '../../test-support/dpop-client.ts';
import { SoftwareAuthenticator, registerPasskey } from '../../test-support/software-authenticator.ts';
import { factorInventory } from './repository.ts';
import {
  PASSWORD,
  addPhone,
  answer,
  auditCount,
  buildPhoneTestApp,
  challengeFor,
  latestTextCode,
  mailsTo,
  outcome,
  sendCode,
  setRoles,
  signedInPatient,
  textsTo,
  type Person,
  type PhoneTestApp,
} from '../../test-support/phone-harness.ts';

const PHONE = '+447700900123';
const SIGN_IN_MAIL = /sign-in code/i;

async function sessionAmr(app: App, sessionId: string): Promise<{ aal: string; amr: string[] }> {
  const row = await app.portcullis.database.db
    .selectFrom('sessions')
    .select(['aal', 'amr'])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return { aal: row.aal, amr: JSON.parse(row.amr) as string[] };
}

/** The code an authenticator app holding `secret` shows at `nowMs` (otpauth, independent of the server). */
function authenticatorCode(secret: string, nowMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: nowMs });
}

async function addAuthenticatorApp(h: PhoneTestApp, person: Person): Promise<string> {
  const start = (await person.device.call('POST', '/v1/mfa/totp', {})).json<TotpEnrolment>();
  const confirm = await person.device.call('POST', `/v1/mfa/totp/${start.factorId}/confirm`, {
    code: authenticatorCode(start.secret, h.clock.now()),
  });
  expect(confirm.statusCode).toBe(200);
  h.clock.advance(30_000); // the confirming code's time step is spent
  return start.secret;
}

async function latestMailCode(app: App, email: string): Promise<string> {
  const [latest] = await mailsTo(app, email, SIGN_IN_MAIL);
  if (latest === undefined) throw new Error('no sign-in mail');
  return codeIn(latest);
}

/** A patient with a confirmed phone (and the recovery codes that came with it). */
async function patientWithPhone(h: PhoneTestApp, email: string): Promise<Person> {
  const person = await signedInPatient(h.app, email);
  await addPhone(h.app, person, PHONE);
  return person;
}

describe.each(testDatabases())('email and SMS sign-in codes on $dialect', ({ dialect }) => {
  let h: PhoneTestApp;
  beforeEach(async () => {
    h = await buildPhoneTestApp(dialect, { config: { mfa: { attemptsPerAccount: 20 } } });
  });
  afterEach(() => h.app.close());

  it('V6.6.1: a patient with a phone is offered sms_code and email_code; a texted code completes an aal2 session (amr sms)', async () => {
    await patientWithPhone(h, 'sms@example.test');
    const { device, challenge } = await challengeFor(h.app, 'sms@example.test');
    expect(challenge).toMatchObject({ methods: ['sms_code', 'recovery_code', 'email_code'], level: 'aal2' });
    const sent = await sendCode(device, challenge.token, 'sms');
    expect(sent.statusCode).toBe(202);
    expect(sent.json<MfaCodeSent>()).toEqual({
      channel: 'sms',
      destination: '+44•••••••123',
      codeExpiresIn: 300,
      resendAfter: 30,
      sendsLeft: 2,
    });
    const text = (await textsTo(h.app, PHONE)).find((body) => body.includes('sign-in'));
    expect(text).toMatch(/^Portcullis: \d{6} is your sign-in code\. Valid 5 min\./);
    expect(text?.length).toBeLessThanOrEqual(160);
    const done = await answer(device, challenge.token, 'sms_code', await latestTextCode(h.app, PHONE, 'sign-in'));
    expect(done.statusCode).toBe(201);
    const tokens = done.json<TokenResponse>();
    expect(tokens.aal).toBe('aal2');
    expect(await sessionAmr(h.app, tokens.sessionId)).toEqual({ aal: 'aal2', amr: ['pwd', 'sms', 'mfa'] });
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    expect(await auditCount(h.app, 'mfa.sms_code_sent', 'success')).toBe(2); // enrolment + sign-in
    expect(await auditCount(h.app, 'mfa.sms_code_verified', 'success')).toBe(1);
  });

  it('V6.3.3: with an authenticator app, a code emailed to the verified address also completes the sign-in (amr email)', async () => {
    const pat = await signedInPatient(h.app, 'mail@example.test');
    await addAuthenticatorApp(h, pat);
    const { device, challenge } = await challengeFor(h.app, pat.email);
    expect(challenge.methods).toEqual(['totp', 'recovery_code', 'email_code']);
    const sent = await sendCode(device, challenge.token, 'email');
    expect(sent.json<MfaCodeSent>()).toMatchObject({ channel: 'email', destination: 'm•••@example.test' });
    const [message] = await outboxMessages(h.app, { to: pat.email });
    const mail = message && { subject: message.subject, body: message.text };
    expect(mail?.subject).toBe('Your Portcullis sign-in code');
    expect(mail?.subject).not.toMatch(/\d{4,}/);
    // A patient asks for SMS without a phone: nothing to send to.
    expect(outcome(await sendCode(device, challenge.token, 'sms'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    const done = await answer(device, challenge.token, 'email_code', codeIn(mail?.body ?? ''));
    expect(done.statusCode).toBe(201);
    expect(await sessionAmr(h.app, done.json<TokenResponse>().sessionId)).toEqual({ aal: 'aal2', amr: ['pwd', 'email', 'mfa'] });
  });

  it('a verified email alone never makes sign-in ask for a second factor', async () => {
    // On the device the person already uses (a new one confirms itself by email: takeover.security.test.ts).
    const { device } = await signedInPatient(h.app, 'plain@example.test');
    expect((await device.signIn('plain@example.test', PASSWORD)).statusCode).toBe(201);
    expect(await mailsTo(h.app, 'plain@example.test', SIGN_IN_MAIL)).toEqual([]);
  });

  it('V6.6.2: a code answers only the challenge it was sent for; only the key that earned a challenge can have codes sent', async () => {
    await patientWithPhone(h, 'bound@example.test');
    const first = await challengeFor(h.app, 'bound@example.test');
    const second = await challengeFor(h.app, 'bound@example.test');
    expect((await sendCode(first.device, first.challenge.token, 'sms')).statusCode).toBe(202);
    const firstCode = await latestTextCode(h.app, PHONE, 'sign-in');
    expect(outcome(await answer(second.device, second.challenge.token, 'sms_code', firstCode))).toEqual([401, 'MFA_CODE_INVALID']);

    // A stolen challenge token is useless to another key, for sending as for answering.
    const thief = new TestDevice(h.app);
    expect(outcome(await sendCode(thief, first.challenge.token, 'sms'))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    expect(outcome(await answer(thief, first.challenge.token, 'sms_code', firstCode))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    expect(await textsTo(h.app, PHONE)).toHaveLength(2); // enrolment + the first challenge's code

    expect((await answer(first.device, first.challenge.token, 'sms_code', firstCode)).statusCode).toBe(201);
    // Used: neither the code nor the challenge answers again, and no more codes are sent for it.
    expect(outcome(await answer(first.device, first.challenge.token, 'sms_code', firstCode))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    h.clock.advance(30_000);
    expect(outcome(await sendCode(first.device, first.challenge.token, 'sms'))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
  });

  it('V6.6.2: a stored code hash copied onto another challenge does not answer it (the HMAC binds the challenge)', async () => {
    await patientWithPhone(h, 'copied@example.test');
    const a = await challengeFor(h.app, 'copied@example.test');
    const b = await challengeFor(h.app, 'copied@example.test');
    await sendCode(a.device, a.challenge.token, 'sms');
    const codeA = await latestTextCode(h.app, PHONE, 'sign-in');
    await sendCode(b.device, b.challenge.token, 'sms');
    const db = h.app.portcullis.database.db;
    const idOf = (token: string) => token.split('.')[0] ?? '';
    const rowA = await db
      .selectFrom('mfa_sent_codes')
      .select('code_hash')
      .where('binding_id', '=', idOf(a.challenge.token))
      .executeTakeFirstOrThrow();
    await db.updateTable('mfa_sent_codes').set({ code_hash: rowA.code_hash }).where('binding_id', '=', idOf(b.challenge.token)).execute();
    expect(outcome(await answer(b.device, b.challenge.token, 'sms_code', codeA))).toEqual([401, 'MFA_CODE_INVALID']);
  });

  it('V6.6.3: codes per challenge are 30 s apart and at most 3; a newer code replaces the older one of its channel', async () => {
    await patientWithPhone(h, 'throttle@example.test');
    const { device, challenge } = await challengeFor(h.app, 'throttle@example.test');
    expect((await sendCode(device, challenge.token, 'sms')).statusCode).toBe(202);
    const oldCode = await latestTextCode(h.app, PHONE, 'sign-in');
    const tooSoon = await sendCode(device, challenge.token, 'email');
    expect(outcome(tooSoon)).toEqual([429, 'RATE_LIMITED']);
    expect(tooSoon.headers['retry-after']).toBe('30');

    h.clock.advance(30_000);
    expect((await sendCode(device, challenge.token, 'sms')).json<MfaCodeSent>().sendsLeft).toBe(1);
    const newCode = await latestTextCode(h.app, PHONE, 'sign-in');
    h.clock.advance(30_000);
    const last = await sendCode(device, challenge.token, 'email');
    expect(last.json<MfaCodeSent>()).toMatchObject({ sendsLeft: 0, resendAfter: 0, codeExpiresIn: 240 });
    h.clock.advance(30_000);
    const spent = await sendCode(device, challenge.token, 'sms');
    expect(outcome(spent)).toEqual([429, 'MFA_CODE_SEND_LIMIT_REACHED']);
    expect(await textsTo(h.app, PHONE)).toHaveLength(3); // enrolment + 2
    expect(await mailsTo(h.app, 'throttle@example.test', SIGN_IN_MAIL)).toHaveLength(1);
    expect(await auditCount(h.app, 'mfa.email_code_sent', 'failure')).toBe(1);
    expect(await auditCount(h.app, 'mfa.sms_code_sent', 'failure')).toBe(1);

    if (oldCode !== newCode) expect(outcome(await answer(device, challenge.token, 'sms_code', oldCode))).toEqual([401, 'MFA_CODE_INVALID']);
    expect((await answer(device, challenge.token, 'sms_code', newCode)).statusCode).toBe(201);
  });

  it('V6.5.5: a sign-in code never outlives its challenge, and an expired challenge sends nothing', async () => {
    await patientWithPhone(h, 'expiry@example.test');
    const { device, challenge } = await challengeFor(h.app, 'expiry@example.test');
    h.clock.advance(120_000);
    expect((await sendCode(device, challenge.token, 'sms')).json<MfaCodeSent>().codeExpiresIn).toBe(180);
    h.clock.advance(180_000);
    expect(outcome(await answer(device, challenge.token, 'sms_code', await latestTextCode(h.app, PHONE, 'sign-in')))).toEqual([
      401,
      'MFA_CHALLENGE_INVALID',
    ]);
    expect(outcome(await sendCode(device, challenge.token, 'email'))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    expect(await mailsTo(h.app, 'expiry@example.test', SIGN_IN_MAIL)).toEqual([]);
  });

  it('V6.6.3: one number receives at most 10 texts an hour, however many challenges ask', async () => {
    await patientWithPhone(h, 'bombed@example.test'); // 1 text: the enrolment code
    const challenges = await Promise.all(Array.from({ length: 4 }, () => challengeFor(h.app, 'bombed@example.test')));
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const { device, challenge } of challenges) statuses.push((await sendCode(device, challenge.token, 'sms')).statusCode);
      h.clock.advance(30_000);
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(9);
    expect(statuses.slice(-4)).toEqual([202, 429, 429, 429]);
    expect(await textsTo(h.app, PHONE)).toHaveLength(10);
    const [refusal] = await h.app.portcullis.database.db
      .selectFrom('audit_events')
      .select('reason')
      .where('action', '=', 'mfa.sms_code_sent')
      .where('outcome', '=', 'failure')
      .execute();
    expect(refusal?.reason).toBe('number_limit_reached');
  });

  it('V6.6.3: one address receives at most 10 sign-in codes an hour, however many challenges ask (whoever holds the password cannot fill the mailbox)', async () => {
    await signedInPatient(h.app, 'mailbombed@example.test');
    // Strangers' devices: each password sign-in opens a new-device challenge that may send an emailed code.
    const challenges = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const device = new TestDevice(h.app);
        const first = await device.signIn('mailbombed@example.test', PASSWORD, { confirmNewDevice: false });
        return { device, token: first.json<{ challenge: { token: string } }>().challenge.token };
      }),
    );
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const { device, token } of challenges) statuses.push((await sendCode(device, token, 'email')).statusCode);
      h.clock.advance(30_000);
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.slice(-4)).toEqual([202, 202, 429, 429]);
    expect(await mailsTo(h.app, 'mailbombed@example.test', SIGN_IN_MAIL)).toHaveLength(10);
  });
});

describe.each(testDatabases())('wrong email and SMS codes against the limits on $dialect', ({ dialect }) => {
  it('V6.5.5: a sign-in code expires after 5 minutes even while its challenge lives on', async () => {
    const h = await buildPhoneTestApp(dialect, { config: { mfa: { challengeTtlSeconds: 600 } } });
    try {
      await patientWithPhone(h, 'expiry@example.test');
      const { device, challenge } = await challengeFor(h.app, 'expiry@example.test');
      expect((await sendCode(device, challenge.token, 'sms')).json<MfaCodeSent>().codeExpiresIn).toBe(300);
      const code = await latestTextCode(h.app, PHONE, 'sign-in');
      h.clock.advance(300_000);
      expect(outcome(await answer(device, challenge.token, 'sms_code', code))).toEqual([401, 'MFA_CODE_INVALID']);
      h.clock.advance(1_000);
      expect((await sendCode(device, challenge.token, 'sms')).statusCode).toBe(202);
      expect((await answer(device, challenge.token, 'sms_code', await latestTextCode(h.app, PHONE, 'sign-in'))).statusCode).toBe(201);
    } finally {
      await h.app.close();
    }
  });

  it('V6.3.1: wrong codes spend the account-wide budget; then even the right texted code is refused (MFA_LOCKED)', async () => {
    const h = await buildPhoneTestApp(dialect, { config: { mfa: { attemptsPerAccount: 3, attemptsPerChallenge: 5 } } });
    try {
      await patientWithPhone(h, 'budget@example.test');
      const a = await challengeFor(h.app, 'budget@example.test');
      const b = await challengeFor(h.app, 'budget@example.test');
      expect((await sendCode(a.device, a.challenge.token, 'sms')).statusCode).toBe(202);
      const codeA = await latestTextCode(h.app, PHONE, 'sign-in');
      const wrong = codeA === '000000' ? '111111' : '000000';
      expect(outcome(await answer(a.device, a.challenge.token, 'sms_code', wrong))).toEqual([401, 'MFA_CODE_INVALID']);
      expect(outcome(await answer(b.device, b.challenge.token, 'email_code', wrong))).toEqual([401, 'MFA_CODE_INVALID']);
      expect(outcome(await answer(a.device, a.challenge.token, 'sms_code', wrong))).toEqual([401, 'MFA_CODE_INVALID']);
      const locked = await answer(a.device, a.challenge.token, 'sms_code', codeA);
      expect(outcome(locked)).toEqual([429, 'MFA_LOCKED']);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect(await auditCount(h.app, 'mfa.sms_code_verified', 'failure')).toBe(2);
      expect(await auditCount(h.app, 'mfa.email_code_verified', 'failure')).toBe(1);
      expect(await auditCount(h.app, 'mfa.factor_locked')).toBe(1);
    } finally {
      await h.app.close();
    }
  });

  it('V6.3.1: a concurrent burst of wrong SMS codes checks no more codes than the account budget', async () => {
    const h = await buildPhoneTestApp(dialect, { config: { mfa: { attemptsPerAccount: 3, attemptsPerChallenge: 10 } } });
    try {
      await patientWithPhone(h, 'burst@example.test');
      const { device, challenge } = await challengeFor(h.app, 'burst@example.test');
      expect((await sendCode(device, challenge.token, 'sms')).statusCode).toBe(202);
      const guesses = Array.from({ length: 8 }, (_, i) => answer(device, challenge.token, 'sms_code', String(900000 + i)));
      const codes = (await Promise.all(guesses)).map((r) => r.json<{ code: string }>().code);
      expect(codes.filter((c) => c === 'MFA_CODE_INVALID').length).toBeLessThanOrEqual(3);
      expect(await auditCount(h.app, 'mfa.sms_code_verified')).toBeLessThanOrEqual(3);
    } finally {
      await h.app.close();
    }
  });
});

describe.each(testDatabases())('email and SMS codes are never for staff on $dialect', ({ dialect }) => {
  let h: PhoneTestApp;
  beforeEach(async () => {
    h = await buildPhoneTestApp(dialect, { config: { mfa: { requiredLevel: { support: 'aal2' } } } });
  });
  afterEach(() => h.app.close());

  it('V6.3.3: a clinician without a passkey gets a restricted session — no code offered, none sent, phone or not', async () => {
    const person = await patientWithPhone(h, 'clinician@example.test');
    await setRoles(h.app, person.accountId, ['clinician']);
    const device = person.device;
    expect((await device.signIn(person.email, PASSWORD)).statusCode).toBe(201);
    const row = await h.app.portcullis.database.db
      .selectFrom('sessions')
      .select('restricted_to')
      .where('id', '=', device.tokens?.sessionId ?? '')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.restricted_to ?? 'null')).toEqual(['passkey', 'totp', 'phone']);
    expect(await textsTo(h.app, PHONE)).toHaveLength(1); // the enrolment text only
    expect(await mailsTo(h.app, person.email, SIGN_IN_MAIL)).toEqual([]);
  });

  it('V6.3.3: a clinician with a passkey is offered the passkey only; sending or answering by email or SMS is refused', async () => {
    const person = await patientWithPhone(h, 'doctor@example.test');
    await setRoles(h.app, person.accountId, ['clinician']);
    const restricted = new TestDevice(h.app);
    expect((await restricted.signIn(person.email, PASSWORD)).statusCode).toBe(201);
    expect((await registerPasskey(restricted, new SoftwareAuthenticator())).statusCode).toBe(201);
    const { device, challenge } = await challengeFor(h.app, person.email);
    expect(challenge).toMatchObject({ methods: ['passkey'], level: 'aal2_phr' });
    for (const channel of ['email', 'sms'] as const) {
      expect(outcome(await sendCode(device, challenge.token, channel))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    }
    expect(outcome(await answer(device, challenge.token, 'sms_code', '123456'))).toEqual([401, 'MFA_CHALLENGE_INVALID']);
    expect(await textsTo(h.app, PHONE)).toHaveLength(1);
  });

  it('V6.6.1: a role that needs aal2 is offered its app, never email or SMS, and both are refused when sent or answered', async () => {
    const person = await patientWithPhone(h, 'support@example.test');
    await addAuthenticatorApp(h, { ...person, device: await reSignIn(h, person) });
    await setRoles(h.app, person.accountId, ['support']); // needs aal2: any factor, but not email or SMS
    const { device, challenge } = await challengeFor(h.app, person.email);
    expect(challenge).toMatchObject({ methods: ['totp', 'recovery_code'], level: 'aal2' });
    for (const channel of ['email', 'sms'] as const) {
      expect(outcome(await sendCode(device, challenge.token, channel))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    }
    for (const method of ['email_code', 'sms_code']) {
      expect(outcome(await answer(device, challenge.token, method, '123456'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    }
    expect(await textsTo(h.app, PHONE)).toHaveLength(2); // enrolment, and the sign-in before the role change
    expect(await mailsTo(h.app, person.email, SIGN_IN_MAIL)).toEqual([]);
    expect(await auditCount(h.app, 'mfa.email_code_sent', 'failure')).toBe(1);
    expect(await auditCount(h.app, 'mfa.sms_code_sent', 'failure')).toBe(1);
  });

  it('the roles are checked again when sending: a promotion after the challenge was issued stops the code', async () => {
    const person = await patientWithPhone(h, 'promoted@example.test');
    const { device, challenge } = await challengeFor(h.app, person.email);
    expect(challenge.methods).toContain('sms_code');
    await setRoles(h.app, person.accountId, ['support']);
    expect(outcome(await sendCode(device, challenge.token, 'sms'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    expect(outcome(await sendCode(device, challenge.token, 'email'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    expect(await textsTo(h.app, PHONE)).toHaveLength(1);
  });

  it('the roles are checked again when answering: a code sent before a promotion makes no session after it', async () => {
    const person = await patientWithPhone(h, 'late@example.test');
    const { device, challenge } = await challengeFor(h.app, person.email);
    expect((await sendCode(device, challenge.token, 'email')).statusCode).toBe(202);
    await setRoles(h.app, person.accountId, ['clinician']);
    const refused = await answer(device, challenge.token, 'email_code', await latestMailCode(h.app, person.email));
    expect(outcome(refused)).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    expect(await auditCount(h.app, 'mfa.challenge_failed', 'failure')).toBe(1);
    expect(await auditCount(h.app, 'mfa.email_code_verified')).toBe(0); // the code was never checked
  });
});

/** A second password session for `person` (its first one may have been signed out by a factor change). */
async function reSignIn(h: PhoneTestApp, person: Person): Promise<TestDevice> {
  const { device, challenge } = await challengeFor(h.app, person.email);
  expect((await sendCode(device, challenge.token, 'sms')).statusCode).toBe(202);
  expect((await answer(device, challenge.token, 'sms_code', await latestTextCode(h.app, PHONE, 'sign-in'))).statusCode).toBe(201);
  return device;
}

describe.each(testDatabases())('switching email and SMS codes off on $dialect', ({ dialect }) => {
  it('mfa.smsCodes disabled: SMS is neither offered nor sent nor accepted', async () => {
    const h = await buildPhoneTestApp(dialect, { config: { mfa: { smsCodes: { enabled: false } } } });
    try {
      const pat = await signedInPatient(h.app, 'nosms@example.test');
      await addAuthenticatorApp(h, pat);
      const { device, challenge } = await challengeFor(h.app, pat.email);
      expect(challenge.methods).toEqual(['totp', 'recovery_code', 'email_code']);
      expect(outcome(await sendCode(device, challenge.token, 'sms'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
      expect(outcome(await answer(device, challenge.token, 'sms_code', '123456'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
    } finally {
      await h.app.close();
    }
  });

  it('mfa.emailCodes disabled: a patient with an app is offered the app and recovery codes only', async () => {
    const h = await buildPhoneTestApp(dialect, { config: { mfa: { emailCodes: { enabled: false } } } });
    try {
      const pat = await signedInPatient(h.app, 'noemail@example.test');
      await addAuthenticatorApp(h, pat);
      const { device, challenge } = await challengeFor(h.app, pat.email);
      expect(challenge.methods).toEqual(['totp', 'recovery_code']);
      expect(outcome(await sendCode(device, challenge.token, 'email'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
      expect(outcome(await answer(device, challenge.token, 'email_code', '123456'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
      expect(await mailsTo(h.app, pat.email, SIGN_IN_MAIL)).toEqual([]);
    } finally {
      await h.app.close();
    }
  });

  it('an address that is no longer verified receives no code and is no longer offered', async () => {
    const h = await buildPhoneTestApp(dialect);
    try {
      const person = await patientWithPhone(h, 'unverified@example.test');
      const { device, challenge } = await challengeFor(h.app, person.email);
      await h.app.portcullis.database.db
        .updateTable('accounts')
        .set({ email_verified_at: null })
        .where('id', '=', person.accountId)
        .execute();
      expect(outcome(await sendCode(device, challenge.token, 'email'))).toEqual([403, 'MFA_METHOD_NOT_ALLOWED']);
      expect(await mailsTo(h.app, person.email, SIGN_IN_MAIL)).toEqual([]);
      // What a challenge would offer now (password sign-in itself needs a verified address).
      expect(await factorInventory(h.app.portcullis.database.db, person.accountId)).toMatchObject({ verifiedEmail: false, phone: true });
    } finally {
      await h.app.close();
    }
  });
});

// ── Stored data and logs ─────────────────────────────────────────────────────────────────────

/** Every column of every row of every table of this app's database, as text — the development outbox included (sealed). */
async function dumpDatabase(app: App, dialect: TestDialect): Promise<string> {
  const { db, schema } = app.portcullis.database;
  const tables = (await db.introspection.getTables()).filter(
    (table) => (dialect === 'sqlite' || table.schema === schema) && !table.isView && !table.name.startsWith('kysely_'),
  );
  const names = tables.map((table) => table.name);
  expect(names).toEqual(expect.arrayContaining(['mfa_phone_factors', 'mfa_sent_codes', 'mfa_send_limits', 'audit_events', 'outbox']));
  const dumps: string[] = [];
  for (const name of names) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    for (const row of rows.rows)
      dumps.push(
        Object.values(row)
          .map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value)))
          .join('\n'),
      );
  }
  return dumps.join('\n');
}

describe.each(testDatabases())('what is stored and logged on $dialect', ({ dialect }) => {
  it('V13.3.1, V14.2.6: no column of any table holds the phone number or a sent code in clear', async () => {
    const h = await buildPhoneTestApp(dialect);
    try {
      const person = await signedInPatient(h.app, 'stored@example.test');
      const start = await person.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE });
      const enrolmentCode = await latestTextCode(h.app, PHONE, 'enrolment');
      await person.device.call('POST', `/v1/mfa/phone/${start.json<{ factorId: string }>().factorId}/confirm`, { code: enrolmentCode });
      const { device, challenge } = await challengeFor(h.app, person.email);
      await sendCode(device, challenge.token, 'sms');
      const smsCode = await latestTextCode(h.app, PHONE, 'sign-in');
      h.clock.advance(30_000);
      await sendCode(device, challenge.token, 'email');
      const emailCode = await latestMailCode(h.app, person.email);
      const dump = await dumpDatabase(h.app, dialect);
      expect(dump).toContain(person.accountId); // not vacuous
      const forms = [PHONE, PHONE.slice(1), '07700900123', '7700900123', '7700 900123'];
      for (const form of forms) expect(dump).not.toContain(form);
      for (const code of [enrolmentCode, smsCode, emailCode])
        expect(dump).not.toMatch(new RegExp(`(^|[^0-9A-Za-z_-])${code}($|[^0-9A-Za-z_-])`));
      const stored = await h.app.portcullis.database.db
        .selectFrom('mfa_phone_factors')
        .select(['phone_ciphertext', 'phone_hash'])
        .execute();
      expect(stored).toHaveLength(1);
      // Sealed for the person (data protection), indexed by the key-service-held phone index key.
      expect(stored[0]?.phone_ciphertext).toMatch(/^pd1\./);
      expect(stored[0]?.phone_hash).toBe(await h.app.portcullis.dataProtection.blindIndex(h.app.portcullis.database.db, 'phone', PHONE));
    } finally {
      await h.app.close();
    }
  });

  it('V16.2.5: sign-in through a real SMS provider — a failure answers 503, and no log line holds the number, a code or the token', async () => {
    const token = 'sms-provider-token-5f1c9e2a7b';
    const received: { authorization: string | undefined; body: { to: string; text: string } }[] = [];
    let failNext = false;
    const provider: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (failNext) {
          failNext = false;
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream refused ${body}`);
          return;
        }
        received.push({ authorization: request.headers.authorization, body: JSON.parse(body) as { to: string; text: string } });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"msg_1"}');
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((provider.address() as AddressInfo).port)}/v1/messages`;
    const h = await buildPhoneTestApp(dialect, { config: { sms: { url, token, senderId: 'Portcullis' } }, captureLogs: true });
    try {
      const person = await signedInPatient(h.app, 'provider@example.test');
      const start = await person.device.call('POST', '/v1/mfa/phone', { phoneNumber: PHONE });
      expect(start.statusCode).toBe(201);
      expect(received[0]).toMatchObject({ authorization: `Bearer ${token}`, body: { to: PHONE } });
      const enrolmentCode = codeIn(received[0]?.body.text ?? '');
      const factorId = start.json<{ factorId: string }>().factorId;
      expect((await person.device.call('POST', `/v1/mfa/phone/${factorId}/confirm`, { code: enrolmentCode })).statusCode).toBe(200);
      expect(await textsTo(h.app, PHONE)).toEqual([]); // the provider got it, not the outbox

      const { device, challenge } = await challengeFor(h.app, person.email);
      failNext = true;
      const failed = await sendCode(device, challenge.token, 'sms');
      expect(outcome(failed)).toEqual([503, 'MFA_CODE_DELIVERY_FAILED']);
      h.clock.advance(30_000);
      expect((await sendCode(device, challenge.token, 'sms')).statusCode).toBe(202);
      const signInCode = codeIn(received.at(-1)?.body.text ?? '');
      expect((await answer(device, challenge.token, 'sms_code', signInCode)).statusCode).toBe(201);

      const logs = h.logLines.join('\n');
      expect(logs).toContain('sms delivery failed: provider_unavailable 500'); // the failure is logged, safely
      for (const secret of [token, PHONE, PHONE.slice(1), enrolmentCode, signInCode]) expect(logs).not.toContain(secret);
    } finally {
      await h.app.close();
      await new Promise((resolve) => provider.close(resolve));
    }
  });
});
