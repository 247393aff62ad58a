/**
 * CORS by exact-origin allow-list; state-changing requests from other origins are refused
 * before any handler runs. ASVS V3.4.2 (Access-Control-Allow-Origin from an allow-list),
 * V3.5.1 (cross-origin requests to sensitive functionality are refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

describe('CORS allow-list and cross-origin write guard', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes], config: { http: { cors: { allowedOrigins: [ALLOWED] } } } });
  });
  afterAll(() => app.close());

  it('echoes an allowed origin and exposes the headers clients need', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: ALLOWED } });
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['vary']).toContain('Origin');
    expect(response.headers['access-control-expose-headers']).toContain('dpop-nonce');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers an allowed preflight with the allowed methods and headers', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/v1/fixture/echo',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, dpop' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-headers']).toContain('dpop');
  });

  it('gives a disallowed origin no CORS headers on reads, so the browser withholds the response', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: EVIL } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a state-changing request from a disallowed origin before the handler runs', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/fixture/echo', headers: { origin: EVIL }, payload: { text: 'x' } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'CORS_ORIGIN_FORBIDDEN' });
  });

  it('refuses a preflight from a disallowed origin', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/v1/fixture/echo',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBe(403);
  });

  it('lets native clients (no Origin header) through untouched', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/fixture/echo', payload: { text: 'x' } });
    expect(response.statusCode).toBe(200);
  });
});
