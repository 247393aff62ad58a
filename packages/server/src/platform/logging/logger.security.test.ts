/**
 * Invariant: a secret a client sends — in a header, a cookie, the query string or the body —
 * never appears in the log output, at any log level, including when the request fails.
 * ASVS V16.2.5 (sensitive data is not logged), V16.4.1 (structured JSON, no log injection).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { fixtureAuthenticator, fixtureRoutes } from '../../test-support/fixture-routes.ts';
import { createRedactor, redactUrl, SECRET_AND_ACCOUNT_KEYS } from './logger.ts';

const SECRET = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('log redaction', () => {
  let app: App | undefined;
  afterEach(() => app?.close());

  it('never writes a token sent in any part of a request, on success, refusal or failure', async () => {
    const lines: string[] = [];
    app = await buildTestApp({
      plugins: [fixtureRoutes],
      authenticator: fixtureAuthenticator,
      config: { log: { level: 'trace' } },
      logLines: lines,
    });
    const headers = {
      authorization: `DPoP ${SECRET}`,
      dpop: SECRET,
      cookie: `session=${SECRET}`,
      'x-api-key': SECRET,
      'proxy-authorization': `Basic ${SECRET}`,
    };
    await app.inject({ method: 'GET', url: `/v1/fixture/public?access_token=${SECRET}&code=${SECRET}`, headers });
    await app.inject({ method: 'GET', url: `/v1/fixture/me?token=${SECRET}`, headers }); // refused: 401
    await app.inject({ method: 'GET', url: `/v1/fixture/crash?refresh_token=${SECRET}`, headers }); // 500
    await app.inject({ method: 'POST', url: '/v1/fixture/echo', headers, payload: { text: SECRET, password: SECRET } }); // 400
    await app.inject({ method: 'GET', url: `/nowhere/x?token=${SECRET}`, headers }); // 404
    // The log level is trace: everything Fastify and the platform can say has been said.
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([]);
  });

  it('redacts personal data and secrets that code logs by field name, at any of the first three levels', async () => {
    const lines: string[] = [];
    app = await buildTestApp({ logLines: lines });
    app.log.info({ email: 'pat@example.com', user: { phone: '+15550100', profile: { password: SECRET } }, refreshToken: SECRET }, 'fields');
    const line = lines.find((l) => l.includes('"fields"')) ?? '';
    expect(line).not.toContain('pat@example.com');
    expect(line).not.toContain('+15550100');
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line)).toMatchObject({ email: '[REDACTED]', user: { phone: '[REDACTED]', profile: { password: '[REDACTED]' } } });
  });

  const completions = (lines: string[]) =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['msg'] === 'request completed');

  it('writes one structured JSON line per refused or failed request at the production level', async () => {
    const lines: string[] = [];
    app = await buildTestApp({ plugins: [fixtureRoutes], logLines: lines });
    const refused = await app.inject({ method: 'GET', url: '/v1/fixture/me' });
    const failed = await app.inject({ method: 'GET', url: '/v1/fixture/crash' });
    await app.inject({ method: 'GET', url: '/v1/fixture/public' }); // success: debug only
    const entries = completions(lines);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ reqId: refused.headers['x-request-id'], route: '/v1/fixture/me', status: 401, level: 'info' });
    expect(entries[1]).toMatchObject({ reqId: failed.headers['x-request-id'], route: '/v1/fixture/crash', status: 500, level: 'warn' });
    expect(entries[0]?.['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/); // ISO-8601 UTC, ASVS V16.2.2
  });

  it('logs successful requests at debug', async () => {
    const lines: string[] = [];
    app = await buildTestApp({ plugins: [fixtureRoutes], logLines: lines, config: { log: { level: 'debug' } } });
    const response = await app.inject({ method: 'GET', url: '/v1/fixture/public' });
    expect(completions(lines)).toEqual([expect.objectContaining({ reqId: response.headers['x-request-id'], status: 200, level: 'debug' })]);
  });

  it('redacts sensitive keys whatever their spelling, without mutating the logged object', () => {
    const logged = { headers: { Authorization: 'DPoP x', 'X-Api-Key': 'k' }, Refresh_Token: 'r', list: [{ password: 'p' }], fine: 1 };
    expect(createRedactor(SECRET_AND_ACCOUNT_KEYS)(logged)).toEqual({
      headers: { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]' },
      Refresh_Token: '[REDACTED]',
      list: [{ password: '[REDACTED]' }],
      fine: 1,
    });
    expect(logged.headers.Authorization).toBe('DPoP x');
  });

  it('keeps query parameter names but not their values', () => {
    expect(redactUrl('/a?token=x&b=2&flag')).toBe('/a?token=[REDACTED]&b=[REDACTED]&flag=[REDACTED]');
    expect(redactUrl('/a')).toBe('/a');
  });
});
