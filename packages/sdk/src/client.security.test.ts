/**
 * Security invariants of `PortcullisClient`, each with a test that fails if the protection is
 * removed. Run over real sockets against the test-support/test-server.ts fixture (a
 * client-behaviour fixture, not the Portcullis server), which verifies every DPoP proof and, like
 * the real server, revokes a whole session when a spent refresh token is presented again.
 *
 * ASVS 5.0: V12.2.1 (TLS for all client connectivity; loopback excepted for development),
 * V10.1.1 (tokens only sent to the component that needs them), V7.4.1 (client side of session
 * termination: nothing usable stays on the device after sign-out). Supports V10.3.5 / V10.4.14
 * (sender-constrained tokens) by keeping the DPoP private key non-extractable and proofs bound to
 * method, URL and token, and V10.4.5 (refresh rotation with reuse detection) by never spending a
 * refresh token twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PortcullisClient } from './portcullis-client.ts';
import { ClientError } from './errors.ts';
import { MemoryTokenStore } from './storage/token-store.ts';
import { closeHarnesses, DEVICE, EMAIL, PASSWORD, rejectionOf, startHarness } from './test-support/client-harness.ts';
import { TestServer } from './test-support/test-server.ts';

afterEach(closeHarnesses);

const BURST = 10;

describe('invariant: a burst of requests spends the refresh token exactly once (V10.4.5)', () => {
  it('10 concurrent requests refused with an expired access token cause ONE refresh, then each retries once', async () => {
    const { client, server, signIn } = await startHarness();
    const session = await signIn();
    server.expireAccessTokens();
    const accounts = await Promise.all(Array.from({ length: BURST }, () => client.getAccount()));
    expect(accounts.every((account) => account.email === EMAIL)).toBe(true);
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
    expect(server.count('GET', '/v1/accounts/me')).toBe(2 * BURST);
    // Spending the refresh token twice would have made the fixture revoke the session.
    expect(server.isSessionLive(session.sessionId)).toBe(true);
  });

  it('holds while the refresh is slow (callers join the one in flight)', async () => {
    const { client, server, signIn } = await startHarness();
    await signIn();
    server.expireAccessTokens();
    server.refreshDelayMs = 100;
    await Promise.all(Array.from({ length: BURST }, () => client.getAccount()));
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
  });

  it('10 concurrent requests with a locally expired access token cause ONE refresh and no refused request', async () => {
    const { client, server, clock, signIn } = await startHarness();
    await signIn();
    clock.advance(600);
    await Promise.all(Array.from({ length: BURST }, (_, i) => (i % 2 === 0 ? client.getAccount() : client.listSessions())));
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
    expect(server.requests.filter((request) => request.status === 401)).toHaveLength(0);
  });

  it('two clients sharing one token store do not both refresh', async () => {
    const { client, server, tokenStore, keyStore, clock, signIn } = await startHarness();
    await signIn();
    const second = new PortcullisClient({ baseUrl: server.url, tokenStore, keyStore, clock });
    server.expireAccessTokens();
    await client.getAccount();
    await second.getAccount();
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
  });
});

describe('invariant: credentials only travel to the configured origin, over TLS or loopback (V10.1.1, V12.2.1)', () => {
  it('refuses a plain-http base URL that is not loopback', () => {
    const tokenStore = new MemoryTokenStore();
    expect(() => new PortcullisClient({ baseUrl: 'http://auth.example.com', tokenStore })).toThrow(TypeError);
    expect(() => new PortcullisClient({ baseUrl: 'http://192.168.1.10:8080', tokenStore })).toThrow(TypeError);
  });

  it('client.fetch never sends the token to another origin', async () => {
    const { client, signIn } = await startHarness();
    const elsewhere = await TestServer.start();
    try {
      await signIn();
      await expect(client.fetch(`${elsewhere.url}/v1/echo`)).rejects.toThrow(TypeError);
      await expect(client.fetch(new URL('/v1/echo', elsewhere.url))).rejects.toThrow(TypeError);
      await expect(client.fetch(`//${new URL(elsewhere.url).host}/v1/echo`)).rejects.toThrow(TypeError);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('does not follow a redirect with a token or proof', async () => {
    const { client, server, signIn } = await startHarness();
    const elsewhere = await TestServer.start();
    try {
      await signIn();
      server.failNext('GET /v1/accounts/me', { status: 307, headers: { location: `${elsewhere.url}/v1/accounts/me` } });
      await expect(client.getAccount()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
      server.failNext('GET /v1/echo', { status: 302, headers: { location: `${elsewhere.url}/v1/echo` } });
      await expect(client.fetch('/v1/echo')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('invariant: proofs are fresh and bound to the request (RFC 9449 §4.3)', () => {
  it('every request carries its own jti, htm, htu and, when authenticated, the token hash', async () => {
    const { client, server, signIn } = await startHarness();
    await signIn();
    await client.getAccount();
    await client.listSessions();
    await client.revokeOtherSessions();
    const proofs = server.requests.map((request) => request.proof);
    expect(proofs.every((proof) => proof !== undefined)).toBe(true);
    expect(new Set(proofs.map((proof) => proof?.payload['jti'])).size).toBe(proofs.length);
    for (const request of server.requests) {
      expect(request.proof?.payload['htm']).toBe(request.method);
      expect(request.proof?.payload['htu']).toBe(`${server.url}${request.path}`);
      expect('ath' in (request.proof?.payload ?? {})).toBe(request.authorization !== undefined);
    }
    // One key for the whole session: the binding the server checks.
    expect(new Set(proofs.map((proof) => proof?.jkt)).size).toBe(1);
  });
});

describe('invariant: sign-out leaves nothing usable on the device (V7.4.1, client side)', () => {
  for (const [situation, breakServer] of [
    ['the server answers 500', (server: TestServer) => server.failNext('DELETE /v1/sessions/current', { problem: 'INTERNAL_ERROR' })],
    ['the server is unreachable', (server: TestServer) => server.close()],
  ] as const) {
    it(`clears tokens and the DPoP key even when ${situation}`, async () => {
      const { client, server, tokenStore, keyStore, signIn } = await startHarness();
      await signIn();
      await breakServer(server);
      await rejectionOf(client.signOut());
      expect(await tokenStore.load()).toBeNull();
      expect(await keyStore.get()).toBeNull();
      await expect(client.getAccount()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    });
  }

  it('the DPoP private key can never be exported from the key store', async () => {
    const { keyStore, signIn } = await startHarness();
    await signIn();
    const key = await keyStore.get();
    expect(key?.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key!.privateKey)).rejects.toThrow();
  });
});

describe('invariant: errors never carry secrets', () => {
  it('no password, token or proof appears in any error message', async () => {
    const { client, server, tokenStore, signIn } = await startHarness();
    const errors: unknown[] = [];
    errors.push(await rejectionOf(client.signIn({ email: EMAIL, password: 'hunter2-secret', device: DEVICE })));
    await signIn();
    const tokens = (await tokenStore.load())!;
    server.failNext('GET /v1/accounts/me', { status: 502, contentType: 'text/html', body: `<p>${tokens.accessToken}</p>` });
    errors.push(await rejectionOf(client.getAccount()));
    server.failNext('GET /v1/sessions', { status: 200, body: JSON.stringify({ sessions: 'x', token: tokens.refreshToken }) });
    errors.push(await rejectionOf(client.listSessions()));
    server.failNext('POST /v1/accounts/password', { problem: 'AUTH_INVALID_CREDENTIALS' });
    errors.push(await rejectionOf(client.changePassword({ currentPassword: 'hunter2-secret', newPassword: PASSWORD })));
    await server.close();
    errors.push(await rejectionOf(client.getAccount()));

    expect(errors).toHaveLength(5);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      for (const secret of ['hunter2-secret', PASSWORD, tokens.accessToken, tokens.refreshToken]) expect(text).not.toContain(secret);
    }
    expect(errors.at(-1)).toBeInstanceOf(ClientError);
  });
});
