/**
 * `PortcullisClient` behaviour over real sockets and the real `fetch`, against the
 * test-support/test-server.ts fixture (a client-behaviour fixture, not the Portcullis server):
 * option validation, account and session calls, DPoP proofs on the wire, nonce challenges
 * (RFC 9449 §8/§9), proactive and reactive refresh, sign-out, and failure mapping.
 */
import { PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PortcullisClient } from './portcullis-client.ts';
import { createDpopKey } from './dpop/create-dpop-key.ts';
import { ApiError, ClientError, isApiError } from './errors.ts';
import { MemoryTokenStore } from './storage/token-store.ts';
import { closeHarnesses, DEVICE, EMAIL, PASSWORD, rejectionOf, startHarness } from './test-support/client-harness.ts';

afterEach(closeHarnesses);

const problem = (code: string, status: number): { status: number; contentType: string; body: string } => ({
  status,
  contentType: PROBLEM_CONTENT_TYPE,
  body: JSON.stringify({ type: 'about:blank', title: code, status, code, requestId: 'req_forced' }),
});

describe('PortcullisClient options', () => {
  const tokenStore = new MemoryTokenStore();

  it('accepts https, and plain http only on loopback', () => {
    for (const baseUrl of [
      'https://auth.example.com',
      'https://example.com/auth/',
      'http://localhost:8080',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
    ]) {
      expect(() => new PortcullisClient({ baseUrl, tokenStore })).not.toThrow();
    }
    expect(() => new PortcullisClient({ baseUrl: new URL('https://auth.example.com'), tokenStore })).not.toThrow();
  });

  it('throws TypeError on misuse', () => {
    const cases: unknown[] = [
      undefined,
      null,
      'https://auth.example.com',
      { tokenStore },
      { baseUrl: 'http://auth.example.com', tokenStore },
      { baseUrl: 'http://10.0.0.2', tokenStore },
      { baseUrl: 'http://localhost.example.com', tokenStore },
      { baseUrl: 'ws://localhost', tokenStore },
      { baseUrl: '/v1', tokenStore },
      { baseUrl: 'https://auth.example.com?tenant=1', tokenStore },
      { baseUrl: 'https://auth.example.com#x', tokenStore },
      { baseUrl: 'https://user:pass@auth.example.com', tokenStore },
      { baseUrl: 'https://auth.example.com' },
      { baseUrl: 'https://auth.example.com', tokenStore: {} },
      { baseUrl: 'https://auth.example.com', tokenStore: localStorageLike() },
      { baseUrl: 'https://auth.example.com', tokenStore, keyStore: { get: () => null } },
      { baseUrl: 'https://auth.example.com', tokenStore, clock: {} },
      { baseUrl: 'https://auth.example.com', tokenStore, fetch: 'fetch' },
      { baseUrl: 'https://auth.example.com', tokenStore, refreshLeewaySeconds: -1 },
      { baseUrl: 'https://auth.example.com', tokenStore, refreshLeewaySeconds: 1.5 },
      { baseUrl: 'https://auth.example.com', tokenStore, refreshLeewaySeconds: 301 },
      { baseURL: 'https://auth.example.com', tokenStore },
    ];
    for (const options of cases) {
      expect(() => new PortcullisClient(options as ConstructorParameters<typeof PortcullisClient>[0]), JSON.stringify(options)).toThrow(
        TypeError,
      );
    }
  });

  function localStorageLike(): unknown {
    return { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };
  }
});

describe('accounts (public routes)', () => {
  it('signs up, verifies the email and resets a password', async () => {
    const { client, server } = await startHarness();
    server.addAccount('new@example.com', 'a long enough password', { verified: false });
    expect(await client.signUp({ email: 'new@example.com', password: 'a long enough password' })).toMatchObject({ status: 'accepted' });
    const account = await client.verifyEmail({ email: 'new@example.com', code: '123456' });
    expect(account).toMatchObject({ email: 'new@example.com', emailVerified: true, roles: ['user'] });
    expect(await client.requestPasswordReset({ email: 'new@example.com' })).toMatchObject({ status: 'accepted' });
    await client.confirmPasswordReset({ email: 'new@example.com', code: '123456', newPassword: 'another long password' });
    // Public calls carry neither a token nor a proof.
    for (const request of server.requests) {
      expect(request.authorization).toBeUndefined();
      expect(request.dpop).toBeUndefined();
    }
  });

  it('maps problem answers to ApiError with the registry code and request id', async () => {
    const { client } = await startHarness();
    const error = await rejectionOf(client.verifyEmail({ email: EMAIL, code: '000000' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', status: 400, requestId: expect.stringMatching(/^req_/) as unknown });
  });

  it('throws TypeError for a missing input object', async () => {
    const { client } = await startHarness();
    await expect(client.signUp(undefined as never)).rejects.toThrow(TypeError);
    await expect(client.signIn([] as never)).rejects.toThrow(TypeError);
  });
});

describe('sign-in', () => {
  it('binds the session to a new non-extractable key with a proof on POST /v1/sessions, and stores the tokens', async () => {
    const { client, server, tokenStore, keyStore, clock } = await startHarness();
    const session = await client.signIn({ email: EMAIL, password: PASSWORD, device: DEVICE });
    expect(session.sessionId).toMatch(/^se_/);
    expect(session.accessTokenExpiresAt.getTime()).toBe(clock.now() + 300_000);

    const key = await keyStore.get();
    expect(key?.privateKey.extractable).toBe(false);
    const stored = await tokenStore.load();
    expect(stored).toMatchObject({ sessionId: session.sessionId, accessTokenExpiresAt: clock.now() + 300_000 });

    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/sessions', status: 201, authorization: undefined });
    expect(request?.proof?.payload).toMatchObject({ htm: 'POST', htu: `${server.url}/v1/sessions` });
    expect(request?.proof?.payload).not.toHaveProperty('ath');
    expect(request?.body).toEqual({ email: EMAIL, password: PASSWORD, device: DEVICE });
    expect(await client.currentSession()).toEqual(session);
  });

  it('reuses a stored key, but replaces one that is extractable', async () => {
    const { client, keyStore, signIn } = await startHarness();
    const existing = await createDpopKey();
    await keyStore.put(existing);
    await signIn();
    expect(await keyStore.get()).toBe(existing);

    const extractable = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    await keyStore.put(extractable);
    await client.signIn({ email: EMAIL, password: PASSWORD, device: DEVICE });
    const replaced = await keyStore.get();
    expect(replaced).not.toBe(extractable);
    expect(replaced?.privateKey.extractable).toBe(false);
  });

  it('rejects wrong credentials and unverified accounts with their codes, storing nothing', async () => {
    const { client, server, tokenStore } = await startHarness();
    server.addAccount('unverified@example.com', PASSWORD, { verified: false });
    const wrong = await rejectionOf(client.signIn({ email: EMAIL, password: 'nope', device: DEVICE }));
    expect(isApiError(wrong, 'AUTH_INVALID_CREDENTIALS')).toBe(true);
    const unverified = await rejectionOf(client.signIn({ email: 'unverified@example.com', password: PASSWORD, device: DEVICE }));
    expect(unverified).toMatchObject({ code: 'AUTH_EMAIL_NOT_VERIFIED', status: 403 });
    expect(await tokenStore.load()).toBeNull();
  });
});

describe('authenticated requests', () => {
  it('send Authorization: DPoP <token> with a proof whose ath hashes that token', async () => {
    const { client, server, tokenStore, signIn } = await startHarness();
    await signIn();
    const account = await client.getAccount();
    expect(account.email).toBe(EMAIL);
    const { accessToken } = (await tokenStore.load())!;
    const request = server.requests.at(-1)!;
    expect(request.authorization).toBe(`DPoP ${accessToken}`);
    expect(request.proof?.payload['ath']).toBe(createHash('sha256').update(accessToken).digest('base64url'));
    expect(request.proof?.payload).toMatchObject({ htm: 'GET', htu: `${server.url}/v1/accounts/me` });
  });

  it('lists and revokes sessions', async () => {
    const first = await startHarness();
    await first.signIn();
    const other = new PortcullisClient({ baseUrl: first.server.url, tokenStore: new MemoryTokenStore(), clock: first.clock });
    const otherSession = await other.signIn({ email: EMAIL, password: PASSWORD, device: { label: 'Phone', platform: 'ios' } });

    const { sessions } = await first.client.listSessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);

    expect(await first.client.revokeSession(otherSession.sessionId)).toEqual({ revoked: 1 });
    expect(first.server.isSessionLive(otherSession.sessionId)).toBe(false);
    await expect(first.client.revokeSession(otherSession.sessionId)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await expect(first.client.revokeSession('../accounts/me')).rejects.toThrow(TypeError);
    expect(await first.client.revokeOtherSessions()).toEqual({ revoked: 0 });
  });

  it('revokes the other sessions, and clears local state when revoking its own', async () => {
    const { client, server, tokenStore, clock, signIn } = await startHarness();
    const other = new PortcullisClient({ baseUrl: server.url, tokenStore: new MemoryTokenStore(), clock });
    await other.signIn({ email: EMAIL, password: PASSWORD, device: DEVICE });
    const own = await signIn();
    expect(await client.revokeOtherSessions()).toEqual({ revoked: 1 });
    expect(await client.revokeSession(own.sessionId)).toEqual({ revoked: 1 });
    expect(await tokenStore.load()).toBeNull();
  });

  it('changes the password, reporting policy violations with their issues', async () => {
    const { client, signIn } = await startHarness();
    await signIn();
    const weak = await rejectionOf(client.changePassword({ currentPassword: PASSWORD, newPassword: 'short' }));
    expect(weak).toMatchObject({ code: 'PASSWORD_POLICY_VIOLATION', issues: [{ pointer: '/body/newPassword', reason: 'too short' }] });
    await expect(client.changePassword({ currentPassword: 'wrong', newPassword: 'long enough now' })).rejects.toMatchObject({
      code: 'AUTH_INVALID_CREDENTIALS',
    });
    await client.changePassword({ currentPassword: PASSWORD, newPassword: 'long enough now' });
  });

  it('fail with NOT_SIGNED_IN, without a request, when there is no session', async () => {
    const { client, server } = await startHarness();
    await expect(client.getAccount()).rejects.toMatchObject({ name: 'ClientError', code: 'NOT_SIGNED_IN' });
    await expect(client.refresh()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    expect(server.requests).toHaveLength(0);
  });

  it('client.fetch authenticates any same-origin request, with htu excluding the query', async () => {
    const { client, server, signIn } = await startHarness();
    const session = await signIn();
    const response = await client.fetch('/v1/echo?q=1', {
      method: 'post',
      body: JSON.stringify({ hello: 'world' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sessionId: session.sessionId, method: 'POST', body: { hello: 'world' } });
    const request = server.requests.at(-1)!;
    expect(request.search).toBe('?q=1');
    expect(request.proof?.payload['htu']).toBe(`${server.url}/v1/echo`);

    const absolute = await client.fetch(new URL('/v1/echo', server.url));
    expect(absolute.status).toBe(200);
    const missing = await client.fetch('/v1/nothing-here');
    expect(missing.status).toBe(404);
  });

  it('client.fetch refuses what it cannot do safely', async () => {
    const { client, signIn } = await startHarness();
    await signIn();
    await expect(client.fetch('/v1/echo', { headers: { Authorization: 'Bearer x' } })).rejects.toThrow(TypeError);
    await expect(client.fetch('/v1/echo', { headers: { DPoP: 'x' } })).rejects.toThrow(TypeError);
    await expect(client.fetch('/v1/echo', { redirect: 'follow' })).rejects.toThrow(TypeError);
    await expect(client.fetch('/v1/echo', { method: 'POST', body: new ReadableStream(), duplex: 'half' } as RequestInit)).rejects.toThrow(
      TypeError,
    );
    await expect(client.fetch('v1/echo')).rejects.toThrow(TypeError);
  });
});

describe('DPoP nonce RFC 9449 §8/§9', () => {
  it('answers a 401 AUTH_DPOP_NONCE_REQUIRED challenge once with the nonce, then keeps using it', async () => {
    const { client, server, signIn } = await startHarness();
    server.requireNonce = true;
    await signIn();
    expect(server.requests.map((request) => request.status)).toEqual([401, 201]);
    expect(server.requests[1]?.proof?.payload['nonce']).toBe(server.nonce);

    await client.getAccount();
    expect(server.requests.at(-1)).toMatchObject({ status: 200 });
    expect(server.requests.at(-1)?.proof?.payload['nonce']).toBe(server.nonce);
    expect(server.requests).toHaveLength(3);
  });

  it('answers the OAuth-style 400 use_dpop_nonce challenge too', async () => {
    const { server, signIn } = await startHarness();
    server.requireNonce = true;
    server.nonceStyle = 'oauth';
    await signIn();
    expect(server.requests.map((request) => request.status)).toEqual([400, 201]);
  });

  it('picks up a fresher nonce from successful responses, so later proofs need no challenge', async () => {
    const { client, server, signIn } = await startHarness();
    server.requireNonce = true;
    server.rotateNonceOnSuccess = true;
    await signIn();
    for (let i = 0; i < 5; i++) await client.getAccount();
    await client.listSessions();
    expect(server.requests.filter((request) => request.status === 401)).toHaveLength(1);
    expect(server.requests).toHaveLength(8);
  });

  it('retries only once, surfacing a repeated challenge as ApiError', async () => {
    const { client, server, signIn } = await startHarness();
    await signIn();
    const challenge = problem('AUTH_DPOP_NONCE_REQUIRED', 401);
    server.failNext('GET /v1/accounts/me', { ...challenge, headers: { 'DPoP-Nonce': 'nonce-1' } }, 2);
    const error = await rejectionOf(client.getAccount());
    expect(isApiError(error, 'AUTH_DPOP_NONCE_REQUIRED')).toBe(true);
    expect(server.count('GET', '/v1/accounts/me')).toBe(2);
  });
});

describe('refresh', () => {
  it('refreshes proactively within the leeway (30 s) before the access token expires', async () => {
    const { client, server, tokenStore, clock, signIn } = await startHarness();
    await signIn();
    const before = (await tokenStore.load())!;
    clock.advance(300 - 31);
    await client.getAccount();
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(0);

    clock.advance(2);
    await client.getAccount();
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
    const refresh = server.requests.find((request) => request.path === '/v1/sessions/refresh')!;
    expect(refresh.body).toEqual({ refreshToken: before.refreshToken });
    expect(refresh.authorization).toBeUndefined();
    expect(refresh.proof?.payload).not.toHaveProperty('ath');
    const after = (await tokenStore.load())!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.accessTokenExpiresAt).toBe(clock.now() + 300_000);
    expect(server.requests.at(-1)?.authorization).toBe(`DPoP ${after.accessToken}`);
  });

  it('refreshes once and retries once when the server refuses the access token', async () => {
    const { client, server, signIn } = await startHarness();
    await signIn();
    server.expireAccessTokens();
    expect((await client.getAccount()).email).toBe(EMAIL);
    expect(server.requests.slice(1).map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      'GET /v1/accounts/me 401',
      'POST /v1/sessions/refresh 200',
      'GET /v1/accounts/me 200',
    ]);
  });

  it('surfaces the second refusal instead of looping', async () => {
    const { client, server, signIn } = await startHarness();
    await signIn();
    server.failNext('GET /v1/accounts/me', problem('AUTH_REQUIRED', 401), 2);
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'AUTH_REQUIRED', status: 401 });
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
    expect(server.count('GET', '/v1/accounts/me')).toBe(2);
  });

  it('clears the local session when the server says the refresh token is invalid', async () => {
    const { client, server, tokenStore, keyStore, signIn } = await startHarness();
    const session = await signIn();
    server.revokeSession(session.sessionId);
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
    expect(await tokenStore.load()).toBeNull();
    expect(await keyStore.get()).toBeNull();
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('keeps the session when the refresh fails with a bad gateway', async () => {
    const { client, server, tokenStore, signIn } = await startHarness();
    await signIn();
    server.expireAccessTokens();
    server.failNext('POST /v1/sessions/refresh', { status: 502, contentType: 'text/html', body: '<html>bad gateway</html>' });
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'INVALID_RESPONSE', status: 502 });
    expect(await tokenStore.load()).not.toBeNull();
    expect((await client.getAccount()).email).toBe(EMAIL);
  });

  it('refresh() returns the new session info, and concurrent calls share one request', async () => {
    const { client, server, clock, signIn } = await startHarness();
    await signIn();
    clock.advance(10);
    const results = await Promise.all([client.refresh(), client.refresh(), client.refresh()]);
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
    expect(results[0].accessTokenExpiresAt.getTime()).toBe(clock.now() + 300_000);
    expect(new Set(results.map((result) => result.sessionId)).size).toBe(1);
  });

  it('never lets a refresh that completes after a new sign-in overwrite the new session', async () => {
    const { client, server, tokenStore, signIn } = await startHarness();
    await signIn();
    server.refreshDelayMs = 200;
    const refreshing = client.refresh();
    const second = await signIn();
    await expect(refreshing).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    expect(server.count('POST', '/v1/sessions/refresh')).toBe(1);
    expect((await tokenStore.load())?.sessionId).toBe(second.sessionId);
  });
});

describe('sign-out', () => {
  it('revokes the session on the server and clears tokens and key', async () => {
    const { client, server, tokenStore, keyStore, signIn } = await startHarness();
    const session = await signIn();
    await client.signOut();
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/v1/sessions/current', status: 200 });
    expect(server.isSessionLive(session.sessionId)).toBe(false);
    expect(await tokenStore.load()).toBeNull();
    expect(await keyStore.get()).toBeNull();
    expect(await client.currentSession()).toBeNull();
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('clears local state even when the server call fails, then reports the failure', async () => {
    const { client, server, tokenStore, keyStore, signIn } = await startHarness();
    await signIn();
    server.failNext('DELETE /v1/sessions/current', { problem: 'INTERNAL_ERROR' });
    const error = await rejectionOf(client.signOut());
    expect(isApiError(error, 'INTERNAL_ERROR')).toBe(true);
    expect(await tokenStore.load()).toBeNull();
    expect(await keyStore.get()).toBeNull();
  });

  it('clears local state when the server cannot be reached, reporting NETWORK_ERROR', async () => {
    const { client, server, tokenStore, signIn } = await startHarness();
    await signIn();
    await server.close();
    const error = await rejectionOf(client.signOut());
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect((error as ClientError).cause).toBeDefined();
    expect(await tokenStore.load()).toBeNull();
  });

  it('resolves when there is no live session to end', async () => {
    const { client, server, signIn } = await startHarness();
    await client.signOut();
    expect(server.requests).toHaveLength(0);
    const session = await signIn();
    server.revokeSession(session.sessionId);
    await client.signOut();
    expect(await client.currentSession()).toBeNull();
  });
});

describe('failures', () => {
  it('maps an unreachable server to NETWORK_ERROR with the cause', async () => {
    const { client, server } = await startHarness();
    await server.close();
    const error = await rejectionOf(client.signUp({ email: EMAIL, password: PASSWORD }));
    expect(error).toMatchObject({ name: 'ClientError', code: 'NETWORK_ERROR' });
    expect((error as ClientError).cause).toBeInstanceOf(Error);
  });

  it('maps a success body of the wrong shape to INVALID_RESPONSE', async () => {
    const { client, server, signIn } = await startHarness();
    await signIn();
    server.failNext('GET /v1/accounts/me', { status: 200, body: JSON.stringify({ id: 1 }) });
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
    server.failNext('GET /v1/sessions', { status: 200, contentType: 'text/plain', body: 'ok' });
    await expect(client.listSessions()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('refuses token responses that are not DPoP-bound', async () => {
    const { client, server, tokenStore } = await startHarness();
    const bearer = {
      tokenType: 'Bearer',
      accessToken: 'at_x',
      expiresIn: 300,
      refreshToken: 'rt_xxxxxxxxxx',
      refreshExpiresIn: 900,
      sessionId: 'se_x',
      aal: 'aal1',
    };
    server.failNext('POST /v1/sessions', { status: 201, body: JSON.stringify(bearer) });
    await expect(client.signIn({ email: EMAIL, password: PASSWORD, device: DEVICE })).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    expect(await tokenStore.load()).toBeNull();
  });

  it('reports DPOP_KEY_UNAVAILABLE and drops the unusable tokens when the key is gone', async () => {
    const { client, keyStore, tokenStore, signIn } = await startHarness();
    await signIn();
    await keyStore.delete();
    await expect(client.getAccount()).rejects.toMatchObject({ code: 'DPOP_KEY_UNAVAILABLE' });
    expect(await tokenStore.load()).toBeNull();
  });

  it('reports DPOP_KEY_UNAVAILABLE, keeping the session, when the key store fails', async () => {
    const { server, tokenStore, clock } = await startHarness();
    const failingKeyStore = {
      key: null as CryptoKeyPair | null,
      fail: false,
      async get() {
        if (this.fail) throw new Error('IndexedDB is closed');
        return this.key;
      },
      async put(key: CryptoKeyPair) {
        this.key = key;
      },
      async delete() {
        this.key = null;
      },
    };
    const client = new PortcullisClient({ baseUrl: server.url, tokenStore, keyStore: failingKeyStore, clock });
    await client.signIn({ email: EMAIL, password: PASSWORD, device: DEVICE });
    failingKeyStore.fail = true;
    const error = await rejectionOf(client.getAccount());
    expect(error).toMatchObject({ code: 'DPOP_KEY_UNAVAILABLE' });
    expect((error as ClientError).cause).toBeInstanceOf(Error);
    expect(await tokenStore.load()).not.toBeNull();
  });
});
