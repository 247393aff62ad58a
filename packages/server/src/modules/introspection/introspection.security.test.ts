/**
 * Security invariants of the `client` door and the introspection endpoint behind it.
 *
 * - Only a configured service with its exact secret may introspect (ASVS V13.2.1 service
 *   authentication, V10.4.10 confidential clients authenticated on back-channel requests);
 *   anything else is 401 AUTH_CLIENT_INVALID with a Basic challenge, before the body is read.
 * - The two doors do not mix (ASVS V8.2.1): a person's DPoP session cannot call a `client` route,
 *   and a service's credentials open no session route. This extends the platform route walk
 *   (platform/routes/route-walk.security.test.ts) to `client` routes, from the OpenAPI document.
 * - A route cannot be declared `client` and ask for a permission (clients hold none).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import type { App } from '../../app.ts';
import { routeContractProblems } from '../../platform/routes/contract.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';
import { concretePath, operationsOf, type Operation } from '../../test-support/operations.ts';

const sha256hex = (value: string): string => createHash('sha256').update(value).digest('hex');
const CLIENT_SECRET = 'test-fixture-secret';
const introspectionConfig = () => ({ introspection: { clients: [{ id: 'billing', secretHash: sha256hex(CLIENT_SECRET) }] } });
const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;
const VALID = basic(`billing:${CLIENT_SECRET}`);

/** Everything a caller without the secret might try. */
const CLIENT_ATTEMPTS: Readonly<Record<string, Record<string, string>>> = {
  'no credentials': {},
  'a wrong secret': { authorization: basic('billing:test-fixture-secreT') },
  'an unknown client with the right secret': { authorization: basic(`payroll:${CLIENT_SECRET}`) },
  'the configured hash as the secret': { authorization: basic(`billing:${sha256hex(CLIENT_SECRET)}`) },
  'an empty secret': { authorization: basic('billing:') },
  'a secret with a trailing space': { authorization: basic(`billing:${CLIENT_SECRET} `) },
  'malformed base64': { authorization: 'Basic !!!!' },
  'the secret as a bearer token': { authorization: `Bearer ${CLIENT_SECRET}` },
  'a DPoP token without proof': { authorization: 'DPoP 0123456789abcdef.0123456789abcdef0123456789abcdef' },
};

describe('the client door (introspection enabled)', () => {
  let app: App;
  let operations: Operation[];
  beforeAll(async () => {
    app = await buildTestApp({ config: introspectionConfig(), plugins: [fixtureRoutes] });
    operations = await operationsOf(app);
  });
  afterAll(() => app.close());

  it('finds the client routes to walk (the walk is not vacuous)', () => {
    expect(operations.filter((op) => op.auth === 'client').map((op) => `${op.method} ${op.path}`)).toEqual(['POST /v1/oauth/introspect']);
  });

  for (const [attempt, headers] of Object.entries(CLIENT_ATTEMPTS)) {
    it(`answers 401 AUTH_CLIENT_INVALID with a Basic challenge to ${attempt} on every client route`, async () => {
      const results = await Promise.all(
        operations
          .filter((op) => op.auth === 'client')
          .map(async (op) => {
            const response = await app.inject({
              method: op.method as 'POST',
              url: concretePath(op.path),
              headers,
              payload: { token: 'x' },
            });
            return {
              route: `${op.method} ${op.path}`,
              status: response.statusCode,
              code: response.json<{ code: string }>().code,
              challenge: response.headers['www-authenticate'],
            };
          }),
      );
      expect(
        results.filter((r) => r.status !== 401 || r.code !== 'AUTH_CLIENT_INVALID' || r.challenge !== 'Basic realm="portcullis"'),
      ).toEqual([]);
    });
  }

  it('opens no session route with valid service credentials', async () => {
    const sessionRoutes = operations.filter((op) => op.auth !== 'public' && op.auth !== 'client');
    expect(sessionRoutes.length).toBeGreaterThan(3);
    const results = await Promise.all(
      sessionRoutes.map(async (op) => {
        const response = await app.inject({
          method: op.method as 'GET',
          url: concretePath(op.path),
          headers: { authorization: VALID },
          payload: op.method === 'GET' ? undefined : {},
        });
        return { route: `${op.method} ${op.path}`, status: response.statusCode, code: response.json<{ code: string }>().code };
      }),
    );
    expect(results.filter((r) => r.status !== 401 || r.code !== 'AUTH_REQUIRED')).toEqual([]);
  });

  it("refuses a person's live DPoP session on the client route (with its own valid proof)", async () => {
    const device = new TestDevice(app);
    const { email, password } = await createVerifiedAccount(app, device, 'person@example.test');
    await device.signIn(email, password);
    const token = device.tokens?.accessToken ?? '';
    const response = await device.send({ method: 'POST', url: '/v1/oauth/introspect', accessToken: token, payload: { token } });
    expect([response.statusCode, response.json<{ code: string }>().code]).toEqual([401, 'AUTH_CLIENT_INVALID']);
  });

  it('authenticates the service before reading the body: a malformed body without credentials is 401, not 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/oauth/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=a&token=b',
    });
    expect(response.statusCode).toBe(401);
  });

  it('lets the configured service in with exactly its secret', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/oauth/introspect',
      headers: { authorization: VALID },
      payload: { token: 'x' },
    });
    expect([response.statusCode, response.body]).toEqual([200, '{"active":false}']);
  });

  it('does not answer 401 differently for unknown and known clients (same code, title, headers)', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/oauth/introspect',
      headers: CLIENT_ATTEMPTS['an unknown client with the right secret'],
    });
    const wrong = await app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers: CLIENT_ATTEMPTS['a wrong secret'] });
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    expect(unknown.headers['www-authenticate']).toBe(wrong.headers['www-authenticate']);
  });
});

describe('the client door without configured clients', () => {
  it('refuses every service at start-up with a bad secretHash, naming the client but not the value', async () => {
    await expect(buildTestApp({ config: { introspection: { clients: [{ id: 'billing', secretHash: CLIENT_SECRET }] } } })).rejects.toThrow(
      /secretHash of client billing must be the SHA-256/,
    );
  });
});

describe('route contract for client routes', () => {
  const response = { 200: Type.Object({ ok: Type.Boolean() }) };

  it('accepts a client route without a permission', () => {
    expect(
      routeContractProblems({
        method: 'POST',
        url: '/x',
        config: { auth: 'client', permission: 'none', audit: 'none' },
        schema: { response },
      }),
    ).toEqual([]);
  });

  it('refuses a client route that asks for a permission (clients hold none)', () => {
    expect(
      routeContractProblems({
        method: 'POST',
        url: '/x',
        config: { auth: 'client', permission: 'records:read', audit: 'none' },
        schema: { response },
      }),
    ).toEqual(['a client route cannot require a permission']);
  });
});
