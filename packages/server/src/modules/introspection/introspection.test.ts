/**
 * Token introspection, RFC 7662, on SQLite and PostgreSQL, driven through the real sign-in flow:
 * what an active access token looks like to a service (RFC 9449 section 6.2 `cnf.jkt`), and that
 * every other token — revoked, expired, a refresh token, garbage — is just `{ active: false }`.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntrospectionResponse } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { buildTestApp, testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';

const sha256hex = (value: string): string => createHash('sha256').update(value).digest('hex');
const CLIENT_SECRET = 'test-fixture-secret';
/** A fresh object per app: loaded configuration is deep-frozen. */
const introspectionConfig = () => ({ introspection: { clients: [{ id: 'billing', secretHash: sha256hex(CLIENT_SECRET) }] } });

/** RFC 6749 section 2.3.1: id and secret form-urlencoded, joined by a colon, then base64. */
function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

function introspect(app: App, token: string, options: { json?: boolean; authorization?: string } = {}) {
  const authorization = options.authorization ?? basic('billing', CLIENT_SECRET);
  return options.json
    ? app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers: { authorization }, payload: { token } })
    : app.inject({
        method: 'POST',
        url: '/v1/oauth/introspect',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      });
}

async function signedIn(app: App, email: string): Promise<TestDevice> {
  const device = new TestDevice(app);
  const { password } = await createVerifiedAccount(app, device, email);
  const response = await device.signIn(email, password);
  if (response.statusCode !== 201) throw new Error(`sign-in failed: ${response.body}`);
  return device;
}

describe.each(testDatabases())('token introspection RFC 7662 on $dialect', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect, config: introspectionConfig() });
  });
  afterAll(() => app.close());

  it('describes a live access token: subject, session, expiry, DPoP binding (cnf.jkt), acr, amr, roles', async () => {
    const device = await signedIn(app, 'live@example.test');
    const account = (await device.call('GET', '/v1/accounts/me')).json<{ id: string; roles: string[] }>();
    const response = await introspect(app, device.tokens?.accessToken ?? '');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const answer = response.json<IntrospectionResponse>();
    expect(answer).toEqual({
      active: true,
      sub: account.id,
      sid: device.tokens?.sessionId,
      exp: expect.any(Number) as number,
      iat: expect.any(Number) as number,
      token_type: 'DPoP',
      cnf: { jkt: device.key.jkt },
      acr: 'aal1',
      amr: ['pwd'],
      roles: account.roles,
    });
    expect(account.roles.length).toBeGreaterThan(0);
    expect((answer.exp ?? 0) - (answer.iat ?? 0)).toBe(600);
    expect(Math.abs((answer.iat ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('accepts the RFC form encoding (with a charset parameter) and JSON alike', async () => {
    const device = await signedIn(app, 'encodings@example.test');
    const token = device.tokens?.accessToken ?? '';
    const form = await introspect(app, token);
    const json = await introspect(app, token, { json: true });
    const charset = await app.inject({
      method: 'POST',
      url: '/v1/oauth/introspect',
      headers: { authorization: basic('billing', CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      payload: `token=${encodeURIComponent(token)}`,
    });
    expect([form.statusCode, json.statusCode, charset.statusCode]).toEqual([200, 200, 200]);
    expect(json.json()).toEqual(form.json());
    expect(charset.json()).toEqual(form.json());
  });

  it('answers exactly { active: false } for a revoked token, a refresh token and garbage, whatever the reason', async () => {
    const device = await signedIn(app, 'inactive@example.test');
    const access = device.tokens?.accessToken ?? '';
    const refresh = device.tokens?.refreshToken ?? '';
    const [id = '', secret = ''] = access.split('.');
    const tamperedSecret = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const garbage = [
      'x',
      'not-a-token',
      `${refresh.split('.')[0] ?? ''}.${secret}`,
      tamperedSecret,
      'at_AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43),
    ];
    const beforeRevocation = await Promise.all([refresh, ...garbage].map((token) => introspect(app, token)));
    expect((await device.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
    const revoked = await introspect(app, access);
    for (const response of [...beforeRevocation, revoked]) {
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('{"active":false}');
    }
  });

  it('audits every introspection with the calling service as actor, and nothing secret', async () => {
    const device = await signedIn(app, 'audited@example.test');
    const token = device.tokens?.accessToken ?? '';
    const active = (await introspect(app, token)).json<IntrospectionResponse>();
    await introspect(app, 'garbage');
    const events = await app.portcullis.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'introspection.performed')
      .orderBy('occurred_at', 'desc')
      .limit(2)
      .execute();
    expect(events.map((e) => [e.actor_id, e.outcome, e.reason, e.subject_id, e.session_id])).toEqual(
      expect.arrayContaining([
        ['billing', 'success', 'token_active', active.sub, active.sid],
        ['billing', 'success', 'token_inactive', null, null],
      ]),
    );
    expect(JSON.stringify(events)).not.toContain(token.split('.')[1] ?? '');
  });

  it('refuses a request without a token, with a repeated parameter, or with an oversized form body', async () => {
    const headers = { authorization: basic('billing', CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' };
    const missing = await app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers, payload: 'token_type_hint=access_token' });
    const repeated = await app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers, payload: 'token=a&token=b' });
    const oversized = await app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers, payload: `token=${'a'.repeat(5000)}` });
    expect([missing.statusCode, missing.json<{ code: string }>().code]).toEqual([400, 'REQUEST_INVALID']);
    expect(repeated.json()).toMatchObject({ status: 400, code: 'REQUEST_INVALID', errors: [{ pointer: '/body/token' }] });
    expect([oversized.statusCode, oversized.json<{ code: string }>().code]).toEqual([413, 'REQUEST_BODY_TOO_LARGE']);
  });

  it('accepts form-encoded special characters in client credentials (RFC 6749 section 2.3.1)', async () => {
    const secret = 'p@ss:w+rd/= with spaces';
    const special = await buildTestApp({
      dialect,
      config: { introspection: { clients: [{ id: 'svc.reports', secretHash: sha256hex(secret) }] } },
    });
    try {
      const ok = await introspect(special, 'garbage', { authorization: basic('svc.reports', secret) });
      expect([ok.statusCode, ok.body]).toEqual([200, '{"active":false}']);
      // The same secret without the form encoding is a different secret ('+' is a space).
      const raw = `Basic ${Buffer.from(`svc.reports:${secret}`).toString('base64')}`;
      expect((await introspect(special, 'garbage', { authorization: raw })).statusCode).toBe(401);
    } finally {
      await special.close();
    }
  });
});

describe.each(testDatabases())('token introspection and expiry on $dialect', ({ dialect }) => {
  it('reports an access token inactive once it has expired, though its session lives on', async () => {
    const clock = manualClock(Date.now());
    const config = testConfig({ dialect, config: introspectionConfig() });
    const app = await buildApp(config, { clock });
    try {
      const device = await signedIn(app, 'expiry@example.test');
      const token = device.tokens?.accessToken ?? '';
      const answer = (await introspect(app, token)).json<IntrospectionResponse>();
      expect(answer.exp).toBe(Math.floor((clock.now() + 600_000) / 1000));
      clock.advance(599_000);
      expect((await introspect(app, token)).json<IntrospectionResponse>().active).toBe(true);
      clock.advance(1_000);
      expect((await introspect(app, token)).body).toBe('{"active":false}');
      // The session itself is fine: a refreshed token introspects as active again.
      expect((await device.refresh()).statusCode).toBe(200);
      expect((await introspect(app, device.tokens?.accessToken ?? '')).json<IntrospectionResponse>().active).toBe(true);
    } finally {
      await app.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  });
});

describe('token introspection is off without configured clients', () => {
  it('does not serve the route at all', async () => {
    const app = await buildTestApp();
    try {
      const response = await introspect(app, 'x');
      expect([response.statusCode, response.json<{ code: string }>().code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    } finally {
      await app.close();
    }
  });
});
