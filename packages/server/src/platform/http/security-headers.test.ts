/**
 * Every response — success, refusal, failure, unknown route — carries the security headers.
 * ASVS V3.4.1 (HSTS ≥ 1 year), V3.4.3/V3.4.6 (CSP with frame-ancestors), V3.4.4 (nosniff),
 * V3.4.5 (referrer policy), V14.3.2 (no-store), V13.4.6 (no version disclosure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';

describe('security headers on every response', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes] });
  });
  afterAll(() => app.close());

  const cases = {
    '200': { method: 'GET', url: '/healthz' },
    '400': { method: 'POST', url: '/v1/fixture/echo', payload: { nope: 1 } },
    '401': { method: 'GET', url: '/v1/fixture/me' },
    '404': { method: 'GET', url: '/missing' },
    '500': { method: 'GET', url: '/v1/fixture/crash' },
  } as const;

  for (const [status, request] of Object.entries(cases)) {
    it(`sets them on a ${status} response`, async () => {
      const response = await app.inject(request);
      expect(String(response.statusCode)).toBe(status);
      const h = response.headers;
      expect(h['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(h['content-security-policy']).toContain("default-src 'none'");
      expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['x-frame-options']).toBe('DENY');
      expect(h['referrer-policy']).toBe('no-referrer');
      expect(h['cache-control']).toBe('no-store');
      expect(h['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(h['x-powered-by']).toBeUndefined();
      expect(h['server']).toBeUndefined();
    });
  }

  it('never takes the request id from the client', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'forged\nline' } });
    expect(response.headers['x-request-id']).not.toBe('forged\nline');
  });
});

describe('HSTS only when the public URL is HTTPS', () => {
  it('omits HSTS for a development http:// public URL', async () => {
    const app = await buildTestApp({ config: { publicUrl: 'http://localhost:8080' } });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
    await app.close();
  });
});
