/**
 * Graceful shutdown: closing the server (what SIGTERM does) stops accepting connections but
 * lets requests already in flight finish with their real answer.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config/load.ts';
import { startServer } from './server.ts';
import { makeTempDir } from './test-support/build-test-app.ts';
import { fixtureRoutes } from './test-support/fixture-routes.ts';
import { createLogger } from './platform/logging/logger.ts';

function request(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then refuses new connections', async () => {
    const { config } = loadConfig({
      overrides: {
        environment: 'test',
        dataDir: makeTempDir(),
        http: { port: 0, tls: { mode: 'upstream' } },
        metrics: { enabled: false },
        log: { level: 'silent' },
      },
    });
    const server = await startServer(config, { logger: createLogger(config), plugins: [fixtureRoutes] });
    const inFlight = [request(`${server.url}/v1/fixture/slow?ms=600`), request(`${server.url}/v1/fixture/slow?ms=400`)];
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closed = server.close();
    const results = await Promise.all(inFlight);
    expect(results).toEqual([
      { status: 200, body: '{"ok":true}' },
      { status: 200, body: '{"ok":true}' },
    ]);
    await closed;
    await expect(request(`${server.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up waiting after the grace period', async () => {
    const { config } = loadConfig({
      overrides: {
        environment: 'test',
        dataDir: makeTempDir(),
        http: { port: 0, tls: { mode: 'upstream' }, shutdownGraceMs: 200 },
        metrics: { enabled: false },
        log: { level: 'silent' },
      },
    });
    const server = await startServer(config, { logger: createLogger(config), plugins: [fixtureRoutes] });
    const stuck = request(`${server.url}/v1/fixture/slow?ms=5000`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await stuck;
  });
});
