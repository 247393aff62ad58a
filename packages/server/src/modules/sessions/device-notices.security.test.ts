/**
 * The new-device email and its "this was not me" link (ASVS V6.3.5: users are notified of
 * suspicious authentication attempts; V7.5.2: users can view and end their sessions), stated
 * as invariants on SQLite and PostgreSQL:
 * - a session on a device new to an account that used another one before sends exactly one
 *   email, with a link; the account's first device and a known device send none, and neither
 *   does any device with `defense.newDevice.notify: false`; a bearer binding proves no device,
 *   so every session it opens is news, and "not me" ends only that session;
 * - opening the link (GET) ends nothing: mail scanners fetch links;
 * - posting the page's form with the link's token ends exactly that device's sessions (the other
 *   devices keep working), forgets the device (its next password sign-in must confirm again) and
 *   writes `session.reported_not_me` with no actor;
 * - the link works once, also when posted twice at the same moment; a forged or expired token is
 *   refused with `DEVICE_NOTICE_INVALID`;
 * - the page carries the token only HTML-escaped, runs no script and is neither cached nor
 *   referred.
 * Each test fails when its protection is removed (the notify condition, the GET/POST split, the
 * single-use claim, the expiry check, the escaping).
 */
import { outboxMessages } from '../../test-support/outbox.ts';
import { insertAccountRow } from '../../test-support/account-rows.ts';
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenResponse } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/index.ts';
import { buildTestApp, testConfig, TEST_PUBLIC_URL } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, codeIn, createVerifiedAccount, deviceChallengeOf, waitForMail } from '../../test-support/dpop-client.ts';
import { generateKeyRingFile, keyRingFromFile } from '../../platform/crypto/index.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { testRequestContext } from '../../test-support/request-context.ts';
import { issueSession } from './service.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_SIGN_IN = /^New sign-in to your Portcullis account$/;
const LINK = /^https:\/\/portcullis\.test\/v1\/sessions\/not-me\?t=(dn_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})$/m;

describe.each(testDatabases())('new-device email and "this was not me" link ($dialect)', ({ dialect }) => {
  let app: App;
  let phone: TestDevice;
  const build = async (config?: ConfigOverrides) => {
    app = await buildTestApp({ dialect, ...(config ? { config } : {}) });
    phone = new TestDevice(app);
  };
  afterEach(() => app.close());

  const db = () => app.portcullis.database.db;
  const notices = async () => db().selectFrom('device_notices').selectAll().execute();
  const newSignInMails = async (to: string) =>
    (await outboxMessages(app, { to })).filter((m) => NEW_SIGN_IN.test(m.subject)).map((m) => ({ subject: m.subject, body: m.text }));

  /** An account signed up on `phone`, then signed in on a new laptop; returns the link's token from the email. */
  async function laptopSignIn(email: string): Promise<{ laptop: TestDevice; token: string; body: string }> {
    await createVerifiedAccount(app, phone, email);
    expect((await phone.signIn(email, PASSWORD)).statusCode).toBe(201);
    const laptop = new TestDevice(app);
    laptop.remoteAddress = '198.51.100.7';
    expect((await laptop.signIn(email, PASSWORD)).statusCode).toBe(201);
    const mail = await waitForMail(app, email, { subject: NEW_SIGN_IN });
    const token = LINK.exec(mail.body)?.[1];
    if (!token) throw new Error(`no link in the new-device email:\n${mail.body}`);
    return { laptop, token, body: mail.body };
  }

  function postNotMe(token: string, headers: Record<string, string> = {}) {
    return app.inject({
      method: 'POST',
      url: '/v1/sessions/not-me',
      // What the page's form sends from the browser: the own origin, form-encoded.
      headers: { origin: TEST_PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
      payload: new URLSearchParams({ t: token }).toString(),
    });
  }

  const notMeEvents = async () =>
    db().selectFrom('audit_events').selectAll().where('action', '=', 'session.reported_not_me').orderBy('log_index').execute();

  describe('with the default configuration', () => {
    beforeEach(() => build());

    it('V6.3.5: a second device sends exactly one new-device email, with the link on its own line; the first and known devices send none', async () => {
      const email = 'ada@example.test';
      const { laptop, body } = await laptopSignIn(email);
      // The phone (the account's first device, then a known one) recorded nothing; the laptop one notice.
      expect(await notices()).toHaveLength(1);
      expect(body).toContain('When: ');
      expect(body).toContain('Device: Test phone (ios)');
      expect(body).toContain('Network: 198.51.100.0/24');
      expect(body).toMatch(/\n\nhttps:\/\/portcullis\.test\/v1\/sessions\/not-me\?t=dn_\S+\n\n/);
      // A known device, signing in again, sends nothing more.
      expect((await laptop.signIn(email, PASSWORD)).statusCode).toBe(201);
      expect((await phone.signIn(email, PASSWORD)).statusCode).toBe(201);
      expect(await notices()).toHaveLength(1);
      // An email leaves only with a recorded notice: one notice, one email.
      const mails = await newSignInMails(email);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).not.toMatch(/dn_|not-me/);
    });

    it('V6.3.5: the first session an account ever has is not news; its second device is', async () => {
      const { clock } = app.portcullis.sessions;
      const now = clock.now();
      const accountId = 'a0000000-0000-4000-8000-000000000001';
      await insertAccountRow(app, {
        id: accountId,
        email: 'first@example.test',
        email_verified_at: now,
        password_hash: null,
        password_changed_at: null,
        roles: '["patient"]',
        status: 'active',
        created_at: now,
        updated_at: now,
      });
      const open = (jkt: string) =>
        issueSession(
          app.portcullis.sessions,
          { accountId, aal: 'aal1', amr: ['hwk'], jkt, device: { label: 'Phone', platform: 'ios' } },
          testRequestContext(app.portcullis.sessions),
        );
      await open('first-device-key-000000000000000000000000000');
      expect(await notices()).toHaveLength(0);
      const second = await open('second-device-key-00000000000000000000000000');
      expect((await notices()).map((n) => n.session_id)).toEqual([second.sessionId]);
      await waitForMail(app, 'first@example.test', { subject: NEW_SIGN_IN });
    });

    it('V6.3.5: opening the link (GET) shows a page and ends nothing', async () => {
      const { laptop, token } = await laptopSignIn('scanner@example.test');
      const page = await app.inject({ method: 'GET', url: `/v1/sessions/not-me?t=${token}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain(`<input type="hidden" name="t" value="${token}">`);
      expect(page.body).toContain('<form method="post" action="/v1/sessions/not-me">');
      // Fetched again, as scanners and previews do: still nothing ends.
      expect((await app.inject({ method: 'GET', url: `/v1/sessions/not-me?t=${token}` })).statusCode).toBe(200);
      expect((await laptop.call('GET', '/v1/sessions')).statusCode).toBe(200);
      expect((await notices())[0]?.used_at).toBeNull();
      expect(await notMeEvents()).toHaveLength(0);
    });

    it('V7.5.2: posting the token ends exactly that device, forgets it and audits it with no actor', async () => {
      const email = 'grace@example.test';
      const { laptop, token } = await laptopSignIn(email);
      const laptopSession = laptop.tokens?.sessionId;
      // The same device signed in again (a known device now): that session ends too.
      expect((await laptop.signIn(email, PASSWORD)).statusCode).toBe(201);
      const accountId = (
        await db()
          .selectFrom('accounts')
          .select('id')
          .where('email_index', '=', await emailIndexOf(app, email))
          .executeTakeFirstOrThrow()
      ).id;

      const answer = await postNotMe(token);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.body).toContain('That device is signed out');
      expect(answer.body).toContain('Forgot password');

      expect((await laptop.call('GET', '/v1/sessions')).statusCode).toBe(401);
      expect((await laptop.refresh()).statusCode).toBe(401);
      expect((await phone.call('GET', '/v1/sessions')).statusCode).toBe(200);
      const laptopRows = await db().selectFrom('sessions').select(['revoked_reason']).where('jkt', '=', laptop.key.jkt).execute();
      expect(laptopRows.map((r) => r.revoked_reason)).toEqual(['reported_not_me', 'reported_not_me']);
      const phoneRows = await db().selectFrom('sessions').select(['revoked_at']).where('jkt', '=', phone.key.jkt).execute();
      expect(phoneRows.every((r) => r.revoked_at === null)).toBe(true);

      // Forgotten: a password alone from the laptop opens nothing until the device is confirmed again.
      const again = await laptop.signIn(email, PASSWORD, { confirmNewDevice: false });
      expect(deviceChallengeOf(again)).toBeDefined();

      const events = await notMeEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        outcome: 'success',
        actor_id: null,
        subject_id: accountId,
        session_id: laptopSession,
        reason: null,
      });
      const revoked = await db()
        .selectFrom('audit_events')
        .select('session_id')
        .where('action', '=', 'session.revoked')
        .where('reason', '=', 'reported_not_me')
        .execute();
      expect(revoked).toHaveLength(2);
    });

    it('V7.5.2: the link works once, also when posted twice at the same moment', async () => {
      const { token } = await laptopSignIn('twice@example.test');
      const answers = await Promise.all([postNotMe(token), postNotMe(token)]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400]);
      const again = await postNotMe(token, { accept: 'application/json' });
      expect(again.statusCode).toBe(400);
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(again.json()).toMatchObject({ code: 'DEVICE_NOTICE_INVALID' });
      const revoked = await db().selectFrom('audit_events').select('log_index').where('reason', '=', 'reported_not_me').execute();
      expect(revoked).toHaveLength(1);
      expect((await notMeEvents()).map((e) => [e.outcome, e.reason])).toEqual([
        ['success', null],
        ['failure', 'used'],
        ['failure', 'used'],
      ]);
    });

    it('V7.5.2: a forged or expired token is refused with DEVICE_NOTICE_INVALID and ends nothing', async () => {
      const { laptop, token } = await laptopSignIn('forged@example.test');
      const [id, secret = ''] = token.split('.');
      const forged = `${id}.${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
      const json = { accept: 'application/json' };
      for (const bad of [forged, 'dn_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-token']) {
        const answer = await postNotMe(bad, json);
        expect(answer.statusCode).toBe(400);
        expect(answer.json()).toMatchObject({ code: 'DEVICE_NOTICE_INVALID' });
      }
      // A browser gets the page saying so, with the same status.
      const page = await postNotMe(forged);
      expect(page.statusCode).toBe(400);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('This link is not valid any more');

      await db()
        .updateTable('device_notices')
        .set({ expires_at: app.portcullis.clock.now() - 1 })
        .execute();
      const expired = await postNotMe(token, json);
      expect(expired.statusCode).toBe(400);
      expect(expired.json()).toMatchObject({ code: 'DEVICE_NOTICE_INVALID' });
      expect((await laptop.call('GET', '/v1/sessions')).statusCode).toBe(200);
      expect((await notMeEvents()).map((e) => e.reason)).toEqual([
        'unknown_token',
        'unknown_token',
        'malformed',
        'unknown_token',
        'expired',
      ]);
    });

    it('the page escapes what it is given, runs no script, and is neither cached nor referred', async () => {
      const hostile = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;
      const page = await app.inject({ method: 'GET', url: `/v1/sessions/not-me?t=${encodeURIComponent(hostile)}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script');
      expect(page.body).not.toContain('<img');
      expect(page.body).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;&#39;"');
      const csp = page.headers['content-security-policy'];
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/form-action 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/script-src|unsafe-inline/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    });
  });

  describe('with a bearer client (sessions.bearerClients)', () => {
    beforeEach(async () => {
      const config = testConfig({ dialect, config: { sessions: { bearerClients: ['kiosk'] } } });
      const keyRing = keyRingFromFile(generateKeyRingFile({ development: false }), 'device-notices test fixture');
      app = await buildApp(config, { keyRing, logger: createLogger(config) });
      phone = new TestDevice(app);
    });

    /** A bearer sign-in proves no device, so it answers the emailed device code too. */
    async function kioskSignIn(email: string): Promise<TokenResponse> {
      const headers = { 'portcullis-client': 'kiosk' };
      const payload = { email, password: PASSWORD, device: { label: 'Kiosk', platform: 'other' } };
      const challenge = deviceChallengeOf(await app.inject({ method: 'POST', url: '/v1/sessions', headers, payload }));
      if (challenge === undefined) throw new Error('a bearer sign-in should confirm the device');
      await app.inject({ method: 'POST', url: '/v1/sessions/mfa/send', headers, payload: { challenge, channel: 'email' } });
      const code = codeIn((await waitForMail(app, email, { subject: /sign-in code/i })).body);
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/sessions/mfa',
        headers,
        payload: { challenge, method: 'email_code', code },
      });
      expect(answer.statusCode).toBe(201);
      return answer.json<TokenResponse>();
    }
    const me = (tokens: TokenResponse) =>
      app.inject({ method: 'GET', url: '/v1/accounts/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });

    it('V6.3.5: every bearer session is news, and "not me" ends only the reported one', async () => {
      const email = 'kiosk@example.test';
      await createVerifiedAccount(app, phone, email);
      const sessions = [await kioskSignIn(email), await kioskSignIn(email)];
      expect((await notices()).map((n) => n.session_id).sort()).toEqual(sessions.map((t) => t.sessionId).sort());
      const mail = await waitForMail(app, email, { subject: NEW_SIGN_IN });
      const answer = await postNotMe(LINK.exec(mail.body)?.[1] ?? '', { accept: 'application/json' });
      expect(answer.statusCode).toBe(200);
      // A bearer binding names a kind of client, not a device: the other kiosk session stays.
      expect(answer.json()).toEqual({ revoked: 1 });
      const still = await Promise.all(sessions.map(async (tokens) => (await me(tokens)).statusCode));
      expect(still.sort()).toEqual([200, 401]);
    });
  });

  describe('with defense.newDevice.notify off', () => {
    beforeEach(() => build({ defense: { newDevice: { notify: false } } }));

    it('V6.3.5: a new device sends no email and records no link', async () => {
      const email = 'quiet@example.test';
      await createVerifiedAccount(app, phone, email);
      const laptop = new TestDevice(app);
      expect((await laptop.signIn(email, PASSWORD)).statusCode).toBe(201);
      expect(await notices()).toHaveLength(0);
      expect(await newSignInMails(email)).toHaveLength(0);
    });
  });
});
