/**
 * @module core/session-engine
 *
 * The session on this device: its tokens (through the `TokenStore`), its DPoP key (through the
 * `DpopKeyStore`), the refresh that keeps the access token live — single-flight, so a burst of
 * calls spends the refresh token once — and the authenticated and sign-in requests every
 * feature is built from. One engine per client; feature functions reach it with
 * {@link engineOf}. Never sends a token anywhere but the configured origin. Internal.
 */
import type { TokenResponse } from '@portcullis/protocol';
import type { ResolvedClientOptions } from '../client-options.ts';
import { createDpopKey } from '../dpop/create-dpop-key.ts';
import { assertDpopKeyPair } from '../dpop/dpop-key-pair.ts';
import { ClientError, isApiError } from '../errors.ts';
import { isAccessTokenRejected } from '../http/challenges.ts';
import { discardBody } from '../http/read-json.ts';
import { parseTokenResponse } from '../http/response-shapes.ts';
import type { StoredTokens } from '../storage/token-store.ts';
import { jsonInit } from './json-request.ts';
import { isStoredTokens, sessionInfoOf, storedTokensOf, type SessionInfo } from './session-info.ts';
import { DpopTransport, type ParseBody } from './transport.ts';

/** A sign-in in progress: which local session it may replace (see {@link SessionEngine.beginSignIn}). */
export interface SignInTicket {
  readonly generation: number;
}

export class SessionEngine {
  readonly options: ResolvedClientOptions;
  readonly transport: DpopTransport;
  /** The refresh in flight, shared by every caller that needs fresh tokens meanwhile. */
  #refreshing: Promise<StoredTokens> | undefined;
  /** Bumped whenever the local session ends or is replaced, so a late refresh cannot resurrect it. */
  #generation = 0;

  constructor(options: ResolvedClientOptions) {
    this.options = options;
    this.transport = new DpopTransport(options);
  }

  // ── Requests ───────────────────────────────────────────────────────────────────────────────

  /** A path (`/v1/...`) or an absolute URL, checked to be on the Portcullis origin. */
  resolveUserUrl(input: string | URL, method: string): URL {
    let url: URL;
    if (typeof input === 'string' && input.startsWith('/') && !input.startsWith('//')) {
      url = this.transport.url(input);
    } else if (typeof input === 'string' || input instanceof URL) {
      try {
        url = new URL(input);
      } catch {
        throw new TypeError(`${method} expects a path starting with / or an absolute URL`);
      }
    } else {
      throw new TypeError(`${method} expects a path starting with / or an absolute URL`);
    }
    // ASVS V10.1.1: tokens only go to the component that needs them.
    if (url.origin !== this.options.origin) throw new TypeError(`${method} sends credentials only to ${this.options.origin}`);
    return url;
  }

  /**
   * Sends an authenticated request: a live access token (refreshed first when about to expire)
   * with a proof carrying its hash. When the server refuses the token, refreshes once and
   * retries once.
   */
  async sendAuthorized(url: URL, init: RequestInit): Promise<Response> {
    let tokens = await this.#activeTokens();
    const key = await this.#sessionKey();
    let response = await this.transport.send(url, init, { key, accessToken: tokens.accessToken });
    if (await isAccessTokenRejected(response)) {
      await discardBody(response);
      tokens = await this.sharedRefresh(tokens.accessToken);
      response = await this.transport.send(url, init, { key, accessToken: tokens.accessToken });
    }
    return response;
  }

  /**
   * A request without a session (sign-up, password reset, passkey options). With `key`, it
   * carries a DPoP proof signed by that key (no session yet, only proof of the device).
   */
  async publicCall<T>(method: string, path: string, body: unknown, parse: ParseBody<T>, key?: CryptoKeyPair): Promise<T> {
    const response = await this.transport.send(this.transport.url(path), jsonInit(method, body), key === undefined ? undefined : { key });
    return this.transport.result(response, `${method} ${path}`, parse);
  }

  /** A JSON request with this session's credentials; the parsed answer or the error it stands for. */
  async authorizedCall<T>(method: string, path: string, body: unknown, parse: ParseBody<T>): Promise<T> {
    const response = await this.sendAuthorized(this.transport.url(path), jsonInit(method, body));
    return this.transport.result(response, `${method} ${path}`, parse);
  }

  // ── Signing in ─────────────────────────────────────────────────────────────────────────────

  /**
   * Marks the start of a sign-in. Whatever the local session was, the sign-in that started
   * last decides the next one: an earlier sign-in, or a refresh of the old session, that
   * finishes later is discarded.
   */
  beginSignIn(): SignInTicket {
    return { generation: ++this.#generation };
  }

  /**
   * POSTs a token request signed with `key` and stores the tokens it answers with — unless another
   * sign-in or a sign-out started meanwhile: the later call decides the session.
   */
  async signInRequest<T>(
    ticket: SignInTicket,
    path: string,
    body: unknown,
    key: CryptoKeyPair,
    parse: ParseBody<T>,
    tokensOf: (result: T) => TokenResponse,
  ): Promise<{ result: T; session: SessionInfo }> {
    const sentAt = this.options.clock.now();
    const response = await this.transport.send(this.transport.url(path), jsonInit('POST', body), { key });
    const result = await this.transport.result(response, `POST ${path}`, parse);
    if (ticket.generation !== this.#generation)
      throw new ClientError('NOT_SIGNED_IN', 'The sign-in was superseded by a later sign-in or sign-out');
    const tokens = storedTokensOf(tokensOf(result), sentAt);
    await this.options.tokenStore.save(tokens);
    return { result, session: sessionInfoOf(tokens) };
  }

  /** {@link signInRequest} for routes that answer a plain token response. */
  async signInWithTokens(ticket: SignInTicket, path: string, body: unknown, key: CryptoKeyPair): Promise<SessionInfo> {
    return (await this.signInRequest(ticket, path, body, key, parseTokenResponse, (tokens) => tokens)).session;
  }

  // ── Tokens and refresh ─────────────────────────────────────────────────────────────────────

  /** The stored tokens, or `null`. A malformed stored value counts as no session (and is cleared). */
  async loadTokens(): Promise<StoredTokens | null> {
    const tokens = await this.options.tokenStore.load();
    if (tokens === null) return null;
    if (!isStoredTokens(tokens)) {
      await this.options.tokenStore.clear();
      return null;
    }
    return tokens;
  }

  /** Tokens good for a request now: refreshed first when the access token is within the leeway of expiry. */
  async #activeTokens(): Promise<StoredTokens> {
    const tokens = await this.loadTokens();
    if (tokens === null) throw new ClientError('NOT_SIGNED_IN', 'There is no session: sign in first');
    const now = this.options.clock.now();
    if (now < tokens.accessTokenExpiresAt - this.options.refreshLeewayMs) return tokens;
    if (now >= tokens.refreshTokenExpiresAt && now >= tokens.accessTokenExpiresAt) {
      await this.endLocalSession();
      throw new ClientError('NOT_SIGNED_IN', 'The session expired: sign in again');
    }
    return this.sharedRefresh(tokens.accessToken);
  }

  /**
   * Single-flight refresh: while one is in flight every caller awaits the same promise, so a
   * burst of requests with an expired token spends the refresh token once (spending it twice
   * would look like token theft to the server, which then revokes the whole session).
   *
   * @param staleAccessToken The access token the caller found expired or refused; when the
   *   store already holds a newer live one (another caller refreshed), it is used as is.
   */
  sharedRefresh(staleAccessToken: string | undefined): Promise<StoredTokens> {
    if (this.#refreshing === undefined) {
      const refreshing = this.#refreshTokens(staleAccessToken).finally(() => {
        if (this.#refreshing === refreshing) this.#refreshing = undefined;
      });
      this.#refreshing = refreshing;
    }
    return this.#refreshing;
  }

  async #refreshTokens(staleAccessToken: string | undefined): Promise<StoredTokens> {
    const generation = this.#generation;
    const current = await this.loadTokens();
    if (current === null) throw new ClientError('NOT_SIGNED_IN', 'There is no session: sign in first');
    const now = this.options.clock.now();
    if (
      staleAccessToken !== undefined &&
      current.accessToken !== staleAccessToken &&
      now < current.accessTokenExpiresAt - this.options.refreshLeewayMs
    ) {
      return current;
    }
    const key = await this.#sessionKey();
    const sentAt = now;
    const path = '/v1/sessions/refresh';
    const response = await this.transport.send(this.transport.url(path), jsonInit('POST', { refreshToken: current.refreshToken }), { key });
    let tokenResponse: TokenResponse;
    try {
      tokenResponse = await this.transport.result(response, `POST ${path}`, parseTokenResponse);
    } catch (error) {
      // The server says the session is over (expired, revoked, or reuse detected): so is the local one.
      if (isApiError(error, 'AUTH_REFRESH_INVALID') && generation === this.#generation) await this.endLocalSession();
      throw error;
    }
    // Signed out or signed in again while this refresh was in flight: its result belongs to a
    // session that no longer is the local one, and must neither be stored nor used.
    if (generation !== this.#generation) throw new ClientError('NOT_SIGNED_IN', 'The session ended while it was being refreshed');
    const tokens = storedTokensOf(tokenResponse, sentAt);
    await this.options.tokenStore.save(tokens);
    return tokens;
  }

  /** Forgets the local session: tokens and DPoP key. Both are attempted even if one fails. */
  async endLocalSession(): Promise<void> {
    this.#generation++;
    const results = await Promise.allSettled([this.options.tokenStore.clear(), this.options.keyStore.delete()]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  }

  // ── The DPoP key ───────────────────────────────────────────────────────────────────────────

  async storedKey(): Promise<CryptoKeyPair | null> {
    try {
      return await this.options.keyStore.get();
    } catch (cause) {
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The DPoP key store failed', { cause });
    }
  }

  /** The stored key, for the second step of a sign-in that the first step bound to it. */
  async signInStepKey(): Promise<CryptoKeyPair> {
    const key = await this.storedKey();
    if (key === null) throw new ClientError('NOT_SIGNED_IN', 'No DPoP key: call signIn first');
    return key;
  }

  /** The key the current session is bound to. Without it the tokens are useless, so they are cleared. */
  async #sessionKey(): Promise<CryptoKeyPair> {
    const key = await this.storedKey();
    if (key === null) {
      await this.endLocalSession();
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The DPoP key of this session is gone: sign in again');
    }
    try {
      assertDpopKeyPair(key, 'The stored DPoP key');
    } catch (cause) {
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The key store holds something that is not an ES256 key pair', { cause });
    }
    return key;
  }

  /**
   * The key a new session will be bound to: the stored one when it is a usable non-extractable
   * ES256 key, otherwise a new one (stored before use, so the session never outlives its key).
   */
  async keyForSignIn(): Promise<CryptoKeyPair> {
    const stored = await this.storedKey();
    if (stored !== null) {
      try {
        assertDpopKeyPair(stored, 'The stored DPoP key');
        if (!stored.privateKey.extractable) return stored;
      } catch {
        // Unusable: replaced below.
      }
    }
    const key = await createDpopKey();
    try {
      await this.options.keyStore.put(key);
    } catch (cause) {
      throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The new DPoP key could not be stored', { cause });
    }
    return key;
  }
}

/** The engine of each client, out of the public API (feature functions reach it through {@link engineOf}). */
const engines = new WeakMap<object, SessionEngine>();

export function attachEngine(client: object, engine: SessionEngine): void {
  engines.set(client, engine);
}

/**
 * The engine behind `client`.
 *
 * @throws {TypeError} When `client` is not a Portcullis client (a feature function called with something else).
 */
export function engineOf(client: object): SessionEngine {
  const engine = engines.get(client);
  if (engine === undefined) throw new TypeError('expects a PortcullisClient or CoreClient');
  return engine;
}
