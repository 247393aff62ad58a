/**
 * Walks every operation of the served OpenAPI document and proves the platform's deny-by-default
 * door: each non-public route answers 401 AUTH_REQUIRED without acceptable credentials, whatever
 * scheme a client tries. New routes are covered automatically because the list comes from the
 * document, not from this file. ASVS V8.2.1, V8.3.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { FIXTURE_PROTECTED_ROUTES, fixtureAuthenticator, fixtureRoutes } from '../../test-support/fixture-routes.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import { concretePath, operationsOf, type Operation } from '../../test-support/operations.ts';

const CREDENTIAL_ATTEMPTS: Readonly<Record<string, Record<string, string>>> = {
  'no credentials': {},
  'a bearer token': { authorization: 'Bearer 0123456789abcdef.0123456789abcdef0123456789abcdef' },
  'a DPoP token without proof': { authorization: 'DPoP 0123456789abcdef.0123456789abcdef0123456789abcdef' },
  'a forged DPoP proof': { authorization: 'DPoP abc.def', dpop: 'eyJhbGciOiJub25lIiwidHlwIjoiZHBvcCtqd3QifQ.eyJodG0iOiJHRVQifQ.' },
  'a basic credential': { authorization: 'Basic YWRtaW46YWRtaW4=' },
};

describe('every non-public route refuses unauthenticated requests (route walk)', () => {
  let app: App;
  let operations: Operation[];
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes] });
    operations = await operationsOf(app);
  });
  afterAll(() => app.close());

  it('documents an authentication level for every operation', () => {
    expect(operations.filter((op) => op.auth === 'missing')).toEqual([]);
  });

  it('finds the protected routes to walk (the walk is not vacuous)', () => {
    const protectedOps = operations.filter((op) => op.auth !== 'public');
    expect(protectedOps.length).toBeGreaterThanOrEqual(FIXTURE_PROTECTED_ROUTES.length);
  });

  for (const [attempt, headers] of Object.entries(CREDENTIAL_ATTEMPTS)) {
    it(`answers 401 AUTH_REQUIRED to ${attempt} on every protected route`, async () => {
      const results = await Promise.all(
        operations
          .filter((op) => op.auth !== 'public')
          .map(async (op) => {
            const response = await app.inject({
              method: op.method as 'GET',
              url: concretePath(op.path),
              headers,
              payload: op.method === 'GET' ? undefined : {},
            });
            return { route: `${op.method} ${op.path}`, status: response.statusCode, code: response.json<{ code: string }>().code };
          }),
      );
      expect(results.filter((r) => r.status !== 401 || r.code !== 'AUTH_REQUIRED')).toEqual([]);
    });
  }
});

describe('every non-public route refuses a real access token without its own fresh proof (RFC 9449)', () => {
  let app: App;
  let operations: Operation[];
  let credentials: { email: string; password: string };
  let phone: TestDevice;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes] });
    operations = (await operationsOf(app)).filter((op) => op.auth !== 'public');
    phone = new TestDevice(app);
    credentials = await createVerifiedAccount(app, phone, 'walker@example.test');
  });
  afterAll(() => app.close());

  /** A new session on the account's own phone (its known key): no new-device code, one session per call. */
  async function signedInDevice(): Promise<TestDevice> {
    const device = new TestDevice(app, phone.key);
    expect((await device.signIn(credentials.email, credentials.password)).statusCode).toBe(201);
    return device;
  }

  it('walks the real session routes too', () => {
    expect(operations.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining(['GET /v1/accounts/me', 'GET /v1/sessions', 'DELETE /v1/sessions/{id}']),
    );
  });

  it('refuses the token sent as a bearer token (no proof)', async () => {
    const device = await signedInDevice();
    for (const op of operations) {
      const response = await app.inject({
        method: op.method as 'GET',
        url: concretePath(op.path),
        headers: { authorization: `Bearer ${device.tokens?.accessToken ?? ''}` },
      });
      expect([`${op.method} ${op.path}`, response.statusCode]).toEqual([`${op.method} ${op.path}`, 401]);
    }
  });

  it('refuses the token with a valid proof signed by another key', async () => {
    const device = await signedInDevice();
    const thief = new TestDevice(app);
    thief.nonce = device.nonce;
    for (const op of operations) {
      const url = concretePath(op.path);
      const response = await thief.send({
        method: op.method as 'GET',
        url,
        accessToken: device.tokens?.accessToken ?? '',
        payload: op.method === 'GET' ? undefined : {},
      });
      expect([`${op.method} ${op.path}`, response.statusCode, response.json<{ code: string }>().code]).toEqual([
        `${op.method} ${op.path}`,
        401,
        'AUTH_DPOP_INVALID',
      ]);
    }
  });

  it('refuses a replayed proof', async () => {
    for (const op of operations) {
      const device = await signedInDevice();
      const url = concretePath(op.path);
      const token = device.tokens?.accessToken ?? '';
      const headers = { authorization: `DPoP ${token}`, dpop: device.proof(op.method, url, token) };
      const payload = op.method === 'GET' ? undefined : {};
      await app.inject({ method: op.method as 'GET', url, headers, ...(payload ? { payload } : {}) });
      const replay = await app.inject({ method: op.method as 'GET', url, headers, ...(payload ? { payload } : {}) });
      expect([`${op.method} ${op.path}`, replay.statusCode]).toEqual([`${op.method} ${op.path}`, 401]);
      // A replay is refused as such unless the first request ended the session itself.
      expect(['AUTH_DPOP_INVALID', 'AUTH_REQUIRED']).toContain(replay.json<{ code: string }>().code);
    }
  });
});

describe('authorization after authentication (permission and assurance level)', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes], authenticator: fixtureAuthenticator });
  });
  afterAll(() => app.close());

  const create = (authorization: string) =>
    app.inject({ method: 'POST', url: '/v1/fixture/records', headers: { authorization }, payload: { title: 'x', count: 1 } });

  it('lets a caller with the declared permission and level through', async () => {
    expect((await create('Test alice aal2 records:write_granted')).statusCode).toBe(201);
  });

  it('refuses a caller who lacks the declared permission with 403 RBAC_FORBIDDEN', async () => {
    const response = await create('Test alice aal2 records:read');
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'RBAC_FORBIDDEN' });
  });

  it('refuses a session below the declared assurance level with 401 AUTH_LEVEL_INSUFFICIENT', async () => {
    const response = await create('Test alice aal1 records:write_granted');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'AUTH_LEVEL_INSUFFICIENT', requiredLevel: 'aal2', currentLevel: 'aal1' });
  });

  it('authenticates before parsing the body: an unauthenticated malformed body still gets 401, not 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/fixture/records',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(401);
  });

  it('exposes the principal to handlers of authenticated routes', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/fixture/me', headers: { authorization: 'Test bob aal1' } });
    expect(response.json()).toEqual({ accountId: 'bob' });
  });
});
