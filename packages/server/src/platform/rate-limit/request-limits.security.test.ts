/**
 * Per-network limits on anonymous routes (ASVS V2.4.1 anti-automation: account creation and mail
 * sending are costly resources). Each public route declares its class; a flood from one network
 * is refused with `429 RATE_LIMITED` and `Retry-After` before any handler work, other networks are
 * unaffected, and routes declared `none` (health, refresh) are never counted.
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(requests: NonNullable<ConfigOverrides['defense']>['requests']): Promise<App> {
  app = await buildTestApp({ config: { defense: { requests } } });
  return app;
}

function signUp(instance: App, network: string, n: number) {
  return instance.inject({
    method: 'POST',
    url: '/v1/accounts',
    remoteAddress: network,
    payload: { email: `new${n}@example.test`, password: 'a long enough new passphrase' },
  });
}

describe('per-network request limits on public routes (V2.4.1)', () => {
  it('refuses sign-ups beyond the costly limit from one network, with Retry-After, and creates nothing for them', async () => {
    const instance = await start({ costlyPerNetwork: { max: 3, windowSeconds: 600 } });
    for (let n = 0; n < 3; n += 1) expect((await signUp(instance, '198.51.100.7', n)).statusCode).toBe(202);
    const refused = await signUp(instance, '198.51.100.7', 3);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
    const accounts = await instance.portcullis.database.db.selectFrom('accounts').select('email_index').execute();
    const expected = await Promise.all(
      ['new0@example.test', 'new1@example.test', 'new2@example.test'].map((e) => emailIndexOf(instance, e)),
    );
    expect(accounts.map((a) => a.email_index).sort()).toEqual(expected.sort());
    // Another network is not held back.
    expect((await signUp(instance, '203.0.113.9', 4)).statusCode).toBe(202);
  });

  it('counts reset requests in the same costly class (each sends mail)', async () => {
    const instance = await start({ costlyPerNetwork: { max: 2, windowSeconds: 600 } });
    const reset = () =>
      instance.inject({
        method: 'POST',
        url: '/v1/accounts/password-reset',
        remoteAddress: '198.51.100.7',
        payload: { email: 'a@example.test' },
      });
    expect((await reset()).statusCode).toBe(202);
    expect((await signUp(instance, '198.51.100.7', 0)).statusCode).toBe(202);
    expect((await reset()).statusCode).toBe(429);
  });

  it('refuses a flood of sign-in requests from one network before any password is checked', async () => {
    const instance = await start({ perNetwork: { max: 3, windowSeconds: 60 } });
    const device = new TestDevice(instance);
    device.remoteAddress = '198.51.100.7';
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await device.signIn(`x${i}@example.test`, 'a wrong but long passphrase')).statusCode);
    // The first call fetched a DPoP nonce (two requests); the limit counts requests, not attempts.
    expect(statuses).toEqual([401, 401, 429, 429, 429]);
    const other = new TestDevice(instance);
    other.remoteAddress = '203.0.113.9';
    expect((await other.signIn('y@example.test', 'a wrong but long passphrase')).statusCode).toBe(401);
  });

  it('never counts routes declared `none`', async () => {
    const instance = await start({ perNetwork: { max: 1, windowSeconds: 60 }, costlyPerNetwork: { max: 1, windowSeconds: 60 } });
    for (let i = 0; i < 5; i += 1) {
      expect((await instance.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' })).statusCode).toBe(200);
    }
  });

  it('declares a limit class on every public route, visible in the OpenAPI document', async () => {
    const instance = await start({});
    const document = (await instance.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { 'x-portcullis-auth'?: string; 'x-portcullis-limit'?: string }>>;
    }>();
    const publicOperations = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation['x-portcullis-auth'] === 'public')
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, limit: operation['x-portcullis-limit'] })),
    );
    expect(publicOperations.length).toBeGreaterThan(10);
    for (const { route, limit } of publicOperations)
      expect([route, ['none', 'network', 'network-costly'].includes(limit ?? '')]).toEqual([route, true]);
    const limitOf = (route: string) => publicOperations.find((o) => o.route === route)?.limit;
    expect(limitOf('POST /v1/accounts')).toBe('network-costly');
    expect(limitOf('POST /v1/accounts/password-reset')).toBe('network-costly');
    expect(limitOf('POST /v1/sessions')).toBe('network');
    expect(limitOf('POST /v1/passkeys/sign-in/options')).toBe('network');
  });
});
