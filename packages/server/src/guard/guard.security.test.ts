/**
 * Security invariants of the guard, end to end over real sockets: a real Portcullis server and
 * a real Fastify service (the app team's) protected by `portcullisGuard`, with a device that
 * signs in at Portcullis and calls the service.
 *
 * - Only a live Portcullis access token, with a fresh proof for this very request to THIS
 *   service, signed by the key the token is bound to, gets in (ASVS V10.3.5 sender-constrained
 *   tokens; RFC 9449 section 4.3 and section 6). Bearer tokens, proofs for another URL or
 *   method, another key, replays, refresh tokens and garbage are all 401.
 * - The service authenticates itself to Portcullis with its own client credentials (ASVS
 *   V13.2.1); if Portcullis cannot be asked, the service fails closed with 503.
 * - Revocation reaches the service (ASVS V7.4.1): at once with the cache off, and within the
 *   documented cache window otherwise — while the proof is still checked on every request.
 * - The service gets the identity it may authorize on: the stable subject (V10.3.3), the
 *   session's `acr` and `amr` (V10.3.4) and roles.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { testConfig } from '../test-support/build-test-app.ts';
import { TestDevice, createVerifiedAccount } from '../test-support/dpop-client.ts';
import { generateTestDPoPKey, signTestProof, type TestDPoPKey } from '../test-support/dpop-proof.ts';
import { portcullisGuard, verifyRequest, type GuardOptions } from './index.ts';

const CLIENT_SECRET = 'test-fixture-secret';
const sha256hex = (value: string): string => createHash('sha256').update(value).digest('hex');
/** The service's public origin, as if behind a TLS-terminating proxy; requests really go to 127.0.0.1. */
const SERVICE_PUBLIC_URL = 'https://billing.test';

interface Service {
  readonly app: FastifyInstance;
  readonly url: string;
}

async function startService(options: Partial<GuardOptions> & Pick<GuardOptions, 'introspectionUrl'>): Promise<Service> {
  const app = Fastify();
  await app.register(portcullisGuard({ clientId: 'billing', clientSecret: CLIENT_SECRET, publicUrl: SERVICE_PUBLIC_URL, ...options }));
  app.get('/v1/invoices', async (request) => ({ caller: request.portcullis }));
  app.post('/v1/invoices', async (request) => ({ caller: request.portcullis }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly path?: string;
  readonly token?: string;
  readonly scheme?: string;
  /** A ready-made proof, or options for one signed by `key`. */
  readonly proof?: string | { key?: TestDPoPKey; htm?: string; htu?: string; accessToken?: string | null; iat?: number };
}

describe('portcullisGuard protects a real service with a real Portcullis', () => {
  let portcullis: RunningServer;
  let dataDir: string;
  let service: Service;
  let device: TestDevice;
  let accountId: string;
  let credentials: { email: string; password: string };

  beforeAll(async () => {
    const config = testConfig({
      config: {
        http: { port: 0, host: '127.0.0.1' },
        introspection: { clients: [{ id: 'billing', secretHash: sha256hex(CLIENT_SECRET) }] },
      },
    });
    dataDir = config.dataDir;
    portcullis = await startServer(config, { logger: createLogger(config) });
    service = await startService({ introspectionUrl: portcullis.url });
    device = new TestDevice(portcullis.app);
    credentials = await createVerifiedAccount(portcullis.app, device, 'guarded@example.test');
    await device.signIn(credentials.email, credentials.password);
    accountId = (await device.call('GET', '/v1/accounts/me')).json<{ id: string }>().id;
  });
  afterAll(async () => {
    await service.app.close();
    await portcullis.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function proofFor(
    key: TestDPoPKey,
    options: Exclude<CallOptions['proof'], string | undefined>,
    fallback: { htm: string; htu: string; token: string },
  ) {
    const accessToken = options.accessToken === null ? undefined : (options.accessToken ?? fallback.token);
    return signTestProof(options.key ?? key, {
      htm: options.htm ?? fallback.htm,
      htu: options.htu ?? fallback.htu,
      ...(accessToken === undefined ? {} : { accessToken }),
      ...(options.iat === undefined ? {} : { iat: options.iat }),
    });
  }

  async function call(target: Service, who: TestDevice, options: CallOptions = {}) {
    const method = options.method ?? 'GET';
    const path = options.path ?? '/v1/invoices';
    const token = options.token ?? who.tokens?.accessToken ?? '';
    const proof =
      typeof options.proof === 'string'
        ? options.proof
        : proofFor(who.key, options.proof ?? {}, { htm: method, htu: `${SERVICE_PUBLIC_URL}${path.split('?')[0] ?? path}`, token });
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `${options.scheme ?? 'DPoP'} ${token}`, dpop: proof },
    });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, body, challenge: response.headers.get('www-authenticate'), proof };
  }

  async function signedInDevice(): Promise<TestDevice> {
    const other = new TestDevice(portcullis.app);
    await other.signIn(credentials.email, credentials.password);
    return other;
  }

  it('lets the signed-in device in with its token and a proof for the service, and tells the service who it is', async () => {
    const response = await call(service, device, { path: '/v1/invoices?page=2' });
    expect(response.status).toBe(200);
    expect(response.body['caller']).toEqual({
      subject: accountId,
      sessionId: device.tokens?.sessionId,
      roles: expect.any(Array) as string[],
      amr: ['pwd'],
      acr: 'aal1',
    });
    const post = await call(service, device, { method: 'POST' });
    expect(post.status).toBe(200);
  });

  it('refuses the token as a bearer token, or with no credentials at all, with the DPoP challenge', async () => {
    const bearer = await call(service, device, { scheme: 'Bearer' });
    expect([bearer.status, bearer.body['code'], bearer.challenge]).toEqual([401, 'AUTH_REQUIRED', 'DPoP algs="ES256 EdDSA"']);
    const none = await fetch(`${service.url}/v1/invoices`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe('AUTH_REQUIRED');
  });

  it.each([
    ['another path of the service', { htu: `${SERVICE_PUBLIC_URL}/v1/payouts` }],
    ['another origin (Portcullis itself)', { htu: 'https://portcullis.test/v1/invoices' }],
    ['another method', { htm: 'DELETE' }],
    ['no access-token hash', { accessToken: null }],
    ['the hash of another token', { accessToken: 'at_AAAAAAAAAAAAAAAAAAAAAA.' + 'B'.repeat(43) }],
    ['a stale iat', { iat: Math.floor(Date.now() / 1000) - 600 }],
  ])('refuses a proof made for %s', async (_case, proof) => {
    const response = await call(service, device, { proof });
    expect([response.status, response.body['code']]).toEqual([401, 'AUTH_DPOP_INVALID']);
    expect(response.challenge).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('refuses a valid proof signed by another key (a stolen token is worth nothing)', async () => {
    const response = await call(service, device, { proof: { key: generateTestDPoPKey('EdDSA') } });
    expect([response.status, response.body['code']]).toEqual([401, 'AUTH_DPOP_INVALID']);
  });

  it('refuses a replayed proof', async () => {
    const first = await call(service, device);
    expect(first.status).toBe(200);
    const replay = await call(service, device, { proof: first.proof });
    expect([replay.status, replay.body['code']]).toEqual([401, 'AUTH_DPOP_INVALID']);
  });

  it('refuses a refresh token and garbage as access tokens', async () => {
    const refresh = await call(service, device, { token: device.tokens?.refreshToken ?? '' });
    expect([refresh.status, refresh.body['code'], refresh.challenge]).toEqual([
      401,
      'AUTH_REQUIRED',
      'DPoP error="invalid_token", algs="ES256 EdDSA"',
    ]);
    for (const token of ['garbage', 'at_AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43), 'x'.repeat(500), 'not a token']) {
      const response = await call(service, device, { token });
      expect([token.slice(0, 10), response.status]).toEqual([token.slice(0, 10), 401]);
    }
  });

  it('refuses a revoked session at once when the cache is off', async () => {
    const uncached = await startService({ introspectionUrl: portcullis.url, cacheTtlSeconds: 0 });
    try {
      const phone = await signedInDevice();
      expect((await call(uncached, phone)).status).toBe(200);
      expect((await phone.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
      const after = await call(uncached, phone);
      expect([after.status, after.body['code']]).toEqual([401, 'AUTH_REQUIRED']);
    } finally {
      await uncached.app.close();
    }
  });

  it('within the cache window still accepts a just-revoked token (the documented trade-off), but never without its proof', async () => {
    const phone = await signedInDevice();
    expect((await call(service, phone)).status).toBe(200);
    expect((await phone.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
    expect((await call(service, phone)).status).toBe(200);
    const thief = await call(service, phone, { proof: { key: generateTestDPoPKey() } });
    expect(thief.status).toBe(401);
  });

  it('fails closed with 503 when Portcullis cannot be reached or refuses the service credentials', async () => {
    const closed = Fastify();
    await closed.listen({ port: 0, host: '127.0.0.1' });
    const deadUrl = `http://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    await closed.close();
    const unreachable = await startService({ introspectionUrl: deadUrl, cacheTtlSeconds: 0 });
    const misconfigured = await startService({ introspectionUrl: portcullis.url, clientSecret: 'not-the-secret', cacheTtlSeconds: 0 });
    try {
      for (const target of [unreachable, misconfigured]) {
        const response = await call(target, device);
        expect([response.status, response.body['code']]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      }
    } finally {
      await unreachable.app.close();
      await misconfigured.app.close();
    }
  });

  it('works without Fastify: verifyRequest on a plain request object', async () => {
    const token = device.tokens?.accessToken ?? '';
    const options: GuardOptions = {
      introspectionUrl: portcullis.url,
      clientId: 'billing',
      clientSecret: CLIENT_SECRET,
      publicUrl: 'https://reports.test',
    };
    const request = (proof: string) => ({ method: 'GET', url: '/v1/reports', headers: { authorization: `DPoP ${token}`, dpop: proof } });
    const proof = signTestProof(device.key, { htm: 'GET', htu: 'https://reports.test/v1/reports', accessToken: token });
    expect(await verifyRequest(request(proof), options)).toMatchObject({ ok: true, subject: accountId });
    // A fresh options object per call shares the process-wide replay cache for the service.
    expect(await verifyRequest(request(proof), { ...options })).toMatchObject({ ok: false, status: 401, code: 'AUTH_DPOP_INVALID' });
  });
});

describe('guard options are checked up front (misuse is a TypeError)', () => {
  const base: GuardOptions = {
    introspectionUrl: 'https://auth.example.test',
    clientId: 'billing',
    clientSecret: 's',
    publicUrl: SERVICE_PUBLIC_URL,
  };

  it.each([
    ['an http Portcullis URL that is not loopback', { introspectionUrl: 'http://auth.example.test' }],
    ['a Portcullis URL with credentials', { introspectionUrl: 'https://u:p@auth.example.test' }],
    ['no client secret', { clientSecret: '' }],
    ['a service URL with a path', { publicUrl: 'https://billing.test/api' }],
    ['a cache longer than 30 s', { cacheTtlSeconds: 31 }],
  ])('refuses %s', (_case, override) => {
    expect(() => portcullisGuard({ ...base, ...override })).toThrow(TypeError);
  });

  it('accepts http only to a loopback Portcullis', () => {
    expect(() => portcullisGuard({ ...base, introspectionUrl: 'http://127.0.0.1:8443' })).not.toThrow();
    expect(() => portcullisGuard({ ...base, introspectionUrl: 'http://localhost:8443' })).not.toThrow();
  });
});
