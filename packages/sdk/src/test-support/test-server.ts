/**
 * @module test-support/test-server
 *
 * TEST FIXTURE FOR THE SDK CLIENT — NOT PORTCULLIS. A small `node:http` server on 127.0.0.1 that
 * answers the routes `PortcullisClient` calls with just enough behaviour to exercise the client
 * over real sockets with the real `fetch`: it verifies every DPoP proof with `node:crypto`
 * (signature, `htm`, `htu`, `iat`, `ath`, `jti` replay, nonce, key binding), demands and rotates
 * nonces on request, rotates refresh tokens with reuse detection (a second use of a spent refresh
 * token revokes the session, as the real server does), and answers failures as problem+json. Its
 * knobs (`requireNonce`, `expireAccessTokens()`, `failNext()`, …) let tests force the situations
 * the client must handle.
 *
 * It shares the wire shapes of `@portcullis/protocol` and nothing else with the real server;
 * behaviour here proves nothing about the server. Integration tests against the real server
 * come later and do not replace these.
 */
/*
 * This file runs only in Node, under Vitest. The "portcullis/isomorphic" block of eslint.config.js
 * exempts `*.test.ts` and `test/` but not `test-support/` (dependency-cruiser does exempt it), so
 * the Node-only rules are switched off here until that block ignores test-support too.
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERRORS, problemTypeFor, type Account, type ErrorCode, type Session, type TokenResponse } from '@portcullis/protocol';

/** A decoded, verified DPoP proof. */
export interface VerifiedProof {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** RFC 7638 thumbprint of the proof's key. */
  readonly jkt: string;
}

/** One request as the fixture saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly authorization: string | undefined;
  /** The raw `DPoP` header, verified or not. */
  readonly dpop: string | undefined;
  /** The proof, when it passed verification. */
  readonly proof: VerifiedProof | undefined;
  readonly body: unknown;
  /** The status the fixture answered with. */
  readonly status: number;
}

/** A canned answer for the next request to a route (see {@link TestServer.failNext}). */
export type ForcedAnswer =
  | { readonly problem: ErrorCode }
  | { readonly status: number; readonly contentType?: string; readonly body?: string; readonly headers?: Record<string, string> };

export interface TestServerOptions {
  /** Server clock for `iat` checks (ms since epoch). Share the client's fake clock. Default `Date.now`. */
  readonly now?: () => number;
  /** Lifetime of access tokens in seconds. Default 300. */
  readonly accessTokenTtlSeconds?: number;
  /** Lifetime of refresh tokens in seconds. Default 86 400. */
  readonly refreshTokenTtlSeconds?: number;
}

interface AccountRecord {
  readonly id: string;
  readonly email: string;
  password: string;
  verified: boolean;
  readonly createdAt: string;
}

interface SessionRecord {
  readonly id: string;
  readonly accountId: string;
  readonly jkt: string;
  readonly device: { readonly label: string; readonly platform: string };
  readonly createdAt: string;
  accessToken: string;
  refreshToken: string;
  readonly spentRefreshTokens: Set<string>;
  revoked: boolean;
}

class Problem extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }
}

const VERIFICATION_CODE = '123456';
const IAT_WINDOW_SECONDS = 60;

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function sha256(text: string): string {
  return base64url(createHash('sha256').update(text).digest());
}

function randomToken(prefix: string): string {
  return `${prefix}_${base64url(randomBytes(24))}`;
}

function decodeSegment(segment: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  return JSON.parse(text) as unknown;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** See the module comment: a client-behaviour fixture, not a Portcullis server. */
export class TestServer {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** When true, every DPoP proof must carry the current nonce. */
  requireNonce = false;
  /** How to demand a nonce: Portcullis problem (401 `AUTH_DPOP_NONCE_REQUIRED`) or RFC 9449 §8 OAuth style (400 `use_dpop_nonce`). */
  nonceStyle: 'problem' | 'oauth' = 'problem';
  /** When true, every successful response hands out a fresh nonce (RFC 9449 §8.2) and only that one is accepted next. */
  rotateNonceOnSuccess = false;
  /** The nonce proofs must carry when `requireNonce` is set. */
  nonce = randomToken('n');
  /** Milliseconds the refresh route waits before answering (to widen race windows). */
  refreshDelayMs = 0;

  readonly #server: ReturnType<typeof createServer>;
  readonly #now: () => number;
  readonly #accessTtl: number;
  readonly #refreshTtl: number;
  readonly #accounts = new Map<string, AccountRecord>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #expiredAccessTokens = new Set<string>();
  readonly #seenJtis = new Set<string>();
  readonly #forced = new Map<string, { answer: ForcedAnswer; times: number }>();
  #requestCounter = 0;

  private constructor(server: ReturnType<typeof createServer>, url: string, options: TestServerOptions) {
    this.#server = server;
    this.url = url;
    this.#now = options.now ?? Date.now;
    this.#accessTtl = options.accessTokenTtlSeconds ?? 300;
    this.#refreshTtl = options.refreshTokenTtlSeconds ?? 86_400;
  }

  /** Starts a fixture on an ephemeral port of 127.0.0.1. */
  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const started: { instance?: TestServer } = {};
    const server = createServer((request, response) => {
      void started.instance?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    started.instance = new TestServer(server, `http://127.0.0.1:${port}`, options);
    return started.instance;
  }

  /** Stops listening and drops kept-alive connections. Idempotent. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Adds an account (verified unless told otherwise). */
  addAccount(email: string, password: string, options: { verified?: boolean } = {}): void {
    this.#accounts.set(email, {
      id: `acc_${base64url(randomBytes(6))}`,
      email,
      password,
      verified: options.verified ?? true,
      createdAt: new Date(this.#now()).toISOString(),
    });
  }

  /** Makes every access token issued so far unacceptable (as if expired server-side); refresh tokens stay valid. */
  expireAccessTokens(): void {
    for (const session of this.#sessions.values()) this.#expiredAccessTokens.add(session.accessToken);
  }

  /** Revokes a session server-side, as another device would. */
  revokeSession(id: string): void {
    const session = this.#sessions.get(id);
    if (session !== undefined) session.revoked = true;
  }

  /** Whether a session is still live on the fixture. */
  isSessionLive(id: string): boolean {
    return this.#sessions.get(id)?.revoked === false;
  }

  /** Answers the next `times` requests to `route` (`'DELETE /v1/sessions/current'`) with `answer`. */
  failNext(route: string, answer: ForcedAnswer, times = 1): void {
    this.#forced.set(route, { answer, times });
  }

  /** How many requests matched `method path` (path without query). */
  count(method: string, path: string): number {
    return this.requests.filter((request) => request.method === method && request.path === path).length;
  }

  // ── Request handling ───────────────────────────────────────────────────────────────────────

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? 'GET';
    const route = `${method} ${url.pathname}`;
    const requestId = `req_${++this.#requestCounter}`;
    let body: unknown;
    let proof: VerifiedProof | undefined;
    let status = 0;
    try {
      body = await readBody(request);
      proof = this.verifyProofHeader(request, method, url);
      const forced = this.#forced.get(route);
      if (forced !== undefined) {
        if (--forced.times === 0) this.#forced.delete(route);
        const { answer } = forced;
        if ('problem' in answer) throw new Problem(answer.problem);
        for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
        status = this.send(response, answer.status, answer.body ?? '', answer.contentType ?? 'application/json');
        return;
      }
      const result = await this.route(method, url.pathname, body, proof, request);
      status = this.send(response, result.status, result.body === undefined ? '' : JSON.stringify(result.body), 'application/json');
    } catch (error) {
      const code = error instanceof Problem ? error.code : 'INTERNAL_ERROR';
      if (error instanceof Problem) for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
      status =
        code === 'AUTH_DPOP_NONCE_REQUIRED' && this.nonceStyle === 'oauth'
          ? this.send(response, 400, JSON.stringify({ error: 'use_dpop_nonce', error_description: 'Nonce required' }), 'application/json')
          : this.send(response, ERRORS[code].status, JSON.stringify(this.problemBody(code, requestId)), 'application/problem+json');
    } finally {
      const dpop = request.headers['dpop'];
      this.requests.push({
        method,
        path: url.pathname,
        search: url.search,
        authorization: request.headers.authorization,
        dpop: typeof dpop === 'string' ? dpop : undefined,
        proof,
        body,
        status,
      });
    }
  }

  private send(response: ServerResponse, status: number, body: string, contentType: string): number {
    if (status >= 200 && status < 300 && this.rotateNonceOnSuccess) {
      this.nonce = randomToken('n');
      response.setHeader('DPoP-Nonce', this.nonce);
    }
    response.statusCode = status;
    if (body !== '') response.setHeader('content-type', `${contentType}; charset=utf-8`);
    response.end(body);
    return status;
  }

  private problemBody(code: ErrorCode, requestId: string): Record<string, unknown> {
    const definition = ERRORS[code];
    const body: Record<string, unknown> = {
      type: problemTypeFor(code),
      title: definition.message,
      status: definition.status,
      code,
      requestId,
    };
    if (code === 'PASSWORD_POLICY_VIOLATION') body['errors'] = [{ pointer: '/body/newPassword', reason: 'too short' }];
    return body;
  }

  /** RFC 9449 §4.3 checks, as far as a fixture needs them. Returns undefined when no proof was sent. */
  private verifyProofHeader(request: IncomingMessage, method: string, url: URL): VerifiedProof | undefined {
    const header = request.headers['dpop'];
    if (header === undefined) return undefined;
    if (typeof header !== 'string') throw new Problem('AUTH_DPOP_INVALID');
    const parts = header.split('.');
    if (parts.length !== 3) throw new Problem('AUTH_DPOP_INVALID');
    const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = parts;
    let jose: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      jose = decodeSegment(headerSegment);
      payload = decodeSegment(payloadSegment);
    } catch {
      throw new Problem('AUTH_DPOP_INVALID');
    }
    const jwk = jose['jwk'] as Record<string, unknown> | undefined;
    if (jose['typ'] !== 'dpop+jwt' || jose['alg'] !== 'ES256' || jwk === undefined || 'd' in jwk) throw new Problem('AUTH_DPOP_INVALID');
    if (jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256' || typeof jwk['x'] !== 'string' || typeof jwk['y'] !== 'string') {
      throw new Problem('AUTH_DPOP_INVALID');
    }
    const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk['x'], y: jwk['y'] }, format: 'jwk' });
    const valid = verify(
      'sha256',
      Buffer.from(`${headerSegment}.${payloadSegment}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureSegment, 'base64url'),
    );
    if (!valid) throw new Problem('AUTH_DPOP_INVALID');
    const expectedHtu = `${url.origin}${url.pathname}`;
    if (payload['htm'] !== method || payload['htu'] !== expectedHtu) throw new Problem('AUTH_DPOP_INVALID');
    const iat = payload['iat'];
    if (typeof iat !== 'number' || Math.abs(iat - Math.floor(this.#now() / 1000)) > IAT_WINDOW_SECONDS)
      throw new Problem('AUTH_DPOP_INVALID');
    const jti = payload['jti'];
    if (typeof jti !== 'string' || jti.length < 22 || this.#seenJtis.has(jti)) throw new Problem('AUTH_DPOP_INVALID');
    this.#seenJtis.add(jti);
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const token = authorization.replace(/^DPoP /, '');
      if (payload['ath'] !== sha256(token)) throw new Problem('AUTH_DPOP_INVALID');
    }
    if (this.requireNonce && payload['nonce'] !== this.nonce) {
      throw new Problem('AUTH_DPOP_NONCE_REQUIRED', { 'DPoP-Nonce': this.nonce });
    }
    const jkt = sha256(JSON.stringify({ crv: 'P-256', kty: 'EC', x: jwk['x'], y: jwk['y'] }));
    return { header: jose, payload, jkt };
  }

  private authenticate(request: IncomingMessage, proof: VerifiedProof | undefined): SessionRecord {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('DPoP ') !== true || proof === undefined) throw new Problem('AUTH_REQUIRED');
    const token = authorization.slice('DPoP '.length);
    const session = [...this.#sessions.values()].find((candidate) => candidate.accessToken === token);
    if (session === undefined || session.revoked || this.#expiredAccessTokens.has(token)) throw new Problem('AUTH_REQUIRED');
    if (session.jkt !== proof.jkt) throw new Problem('AUTH_DPOP_INVALID');
    return session;
  }

  private tokenResponse(session: SessionRecord): TokenResponse {
    return {
      tokenType: 'DPoP',
      accessToken: session.accessToken,
      expiresIn: this.#accessTtl,
      refreshToken: session.refreshToken,
      refreshExpiresIn: this.#refreshTtl,
      sessionId: session.id,
      aal: 'aal1',
    };
  }

  private account(id: string): Account {
    const account = [...this.#accounts.values()].find((candidate) => candidate.id === id);
    if (account === undefined) throw new Problem('INTERNAL_ERROR');
    return { id: account.id, email: account.email, emailVerified: account.verified, roles: ['user'], createdAt: account.createdAt };
  }

  private sessionView(session: SessionRecord, current: SessionRecord): Session {
    const now = new Date(this.#now()).toISOString();
    return {
      id: session.id,
      current: session.id === current.id,
      device: session.device,
      createdAt: session.createdAt,
      lastUsedAt: now,
      expiresAt: new Date(this.#now() + this.#refreshTtl * 1000).toISOString(),
      location: '127.0.0.0/24',
      aal: 'aal1',
    };
  }

  private liveSessionsOf(accountId: string): SessionRecord[] {
    return [...this.#sessions.values()].filter((session) => session.accountId === accountId && !session.revoked);
  }

  private async route(
    method: string,
    path: string,
    body: unknown,
    proof: VerifiedProof | undefined,
    request: IncomingMessage,
  ): Promise<{ status: number; body?: unknown }> {
    const accepted = { status: 'accepted', message: 'If the address can be used, an email is on its way.' };
    switch (`${method} ${path}`) {
      case 'POST /v1/accounts':
        return { status: 202, body: accepted };
      case 'POST /v1/accounts/verify-email': {
        const account = this.#accounts.get(String(field(body, 'email')));
        if (account === undefined || field(body, 'code') !== VERIFICATION_CODE) throw new Problem('VERIFICATION_CODE_INVALID');
        account.verified = true;
        return { status: 200, body: this.account(account.id) };
      }
      case 'POST /v1/accounts/password-reset':
        return { status: 202, body: accepted };
      case 'POST /v1/accounts/password-reset/confirm': {
        const account = this.#accounts.get(String(field(body, 'email')));
        if (account === undefined || field(body, 'code') !== VERIFICATION_CODE) throw new Problem('VERIFICATION_CODE_INVALID');
        account.password = String(field(body, 'newPassword'));
        return { status: 200 };
      }
      case 'POST /v1/sessions': {
        if (proof === undefined) throw new Problem('AUTH_DPOP_INVALID');
        const account = this.#accounts.get(String(field(body, 'email')));
        if (account === undefined || account.password !== field(body, 'password')) throw new Problem('AUTH_INVALID_CREDENTIALS');
        if (!account.verified) throw new Problem('AUTH_EMAIL_NOT_VERIFIED');
        const device = field(body, 'device');
        const label = field(device, 'label');
        const platform = field(device, 'platform');
        if (typeof label !== 'string' || typeof platform !== 'string') throw new Problem('REQUEST_INVALID');
        const session: SessionRecord = {
          id: `se_${base64url(randomBytes(9))}`,
          accountId: account.id,
          jkt: proof.jkt,
          device: { label, platform },
          createdAt: new Date(this.#now()).toISOString(),
          accessToken: randomToken('at'),
          refreshToken: randomToken('rt'),
          spentRefreshTokens: new Set(),
          revoked: false,
        };
        this.#sessions.set(session.id, session);
        return { status: 201, body: this.tokenResponse(session) };
      }
      case 'POST /v1/sessions/refresh': {
        if (proof === undefined) throw new Problem('AUTH_DPOP_INVALID');
        if (this.refreshDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.refreshDelayMs));
        const presented = field(body, 'refreshToken');
        const session = [...this.#sessions.values()].find(
          (candidate) => candidate.refreshToken === presented || candidate.spentRefreshTokens.has(String(presented)),
        );
        if (session === undefined || session.revoked || session.jkt !== proof.jkt) throw new Problem('AUTH_REFRESH_INVALID');
        if (session.refreshToken !== presented) {
          // Reuse of a spent refresh token: someone holds a copy. Revoke the whole session.
          session.revoked = true;
          throw new Problem('AUTH_REFRESH_INVALID');
        }
        session.spentRefreshTokens.add(session.refreshToken);
        session.accessToken = randomToken('at');
        session.refreshToken = randomToken('rt');
        return { status: 200, body: this.tokenResponse(session) };
      }
      case 'GET /v1/accounts/me': {
        const session = this.authenticate(request, proof);
        return { status: 200, body: this.account(session.accountId) };
      }
      case 'GET /v1/sessions': {
        const session = this.authenticate(request, proof);
        return { status: 200, body: { sessions: this.liveSessionsOf(session.accountId).map((s) => this.sessionView(s, session)) } };
      }
      case 'POST /v1/sessions/revoke-others': {
        const session = this.authenticate(request, proof);
        const others = this.liveSessionsOf(session.accountId).filter((s) => s.id !== session.id);
        for (const other of others) other.revoked = true;
        return { status: 200, body: { revoked: others.length } };
      }
      case 'DELETE /v1/sessions/current': {
        const session = this.authenticate(request, proof);
        session.revoked = true;
        return { status: 200, body: { revoked: 1 } };
      }
      case 'POST /v1/accounts/password': {
        const session = this.authenticate(request, proof);
        const account = [...this.#accounts.values()].find((candidate) => candidate.id === session.accountId);
        if (account === undefined || account.password !== field(body, 'currentPassword')) throw new Problem('AUTH_INVALID_CREDENTIALS');
        const newPassword = field(body, 'newPassword');
        if (typeof newPassword !== 'string' || newPassword.length < 8) throw new Problem('PASSWORD_POLICY_VIOLATION');
        account.password = newPassword;
        return { status: 200 };
      }
      case 'POST /v1/echo':
      case 'GET /v1/echo': {
        // Fixture-only route for client.fetch: echoes what arrived.
        const session = this.authenticate(request, proof);
        return { status: 200, body: { sessionId: session.id, method, body: body ?? null } };
      }
      default: {
        const match = /^\/v1\/sessions\/([A-Za-z0-9_-]+)$/.exec(path);
        if (method === 'DELETE' && match !== null) {
          const session = this.authenticate(request, proof);
          const target = this.#sessions.get(match[1] ?? '');
          if (target === undefined || target.accountId !== session.accountId || target.revoked) throw new Problem('SESSION_NOT_FOUND');
          target.revoked = true;
          return { status: 200, body: { revoked: 1 } };
        }
        throw new Problem('ROUTE_NOT_FOUND');
      }
    }
  }
}
