/**
 * @module core/core-client
 *
 * `CoreClient`: the smallest useful Portcullis client. It holds one device's session — tokens
 * in the `TokenStore`, the DPoP key in the `DpopKeyStore` — and offers `fetch` with that
 * session's credentials: a DPoP proof on every request, the server's nonce, a refresh before
 * the access token expires (shared by concurrent calls) and once more when the server refuses
 * it. Everything else (signing in, accounts, factors, admin, …) is a feature function that takes
 * a client, imported from its own subpath, so an app ships only the features it calls.
 */
import { resolveClientOptions, type PortcullisClientOptions } from '../client-options.ts';
import { DPOP_HEADER } from '../lib/wire-constants.ts';
import { normaliseMethod } from './json-request.ts';
import { sessionInfoOf, type SessionInfo } from './session-info.ts';
import { attachEngine, SessionEngine } from './session-engine.ts';

/**
 * The session on this device and authenticated `fetch`. Sign in with the functions of
 * `@portcullis/sdk/sessions` (or `/passkeys`, `/federation`); call any route with {@link fetch}.
 * `PortcullisClient` is a `CoreClient` with every feature as a method.
 *
 * One instance per app (per base URL and token store). All methods are safe to call
 * concurrently; refreshes are shared, so a burst of calls with an expired access token makes
 * one refresh request.
 *
 * @example
 *   import { CoreClient, MemoryTokenStore } from '@portcullis/sdk/core';
 *   import { signIn } from '@portcullis/sdk/sessions';
 *
 *   const client = new CoreClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 *   await signIn(client, { email, password, device: { label: 'Web', platform: 'web' } });
 *   const response = await client.fetch('/v1/accounts/me');
 */
export class CoreClient {
  readonly #engine: SessionEngine;

  /**
   * @param options See {@link PortcullisClientOptions}.
   * @throws {TypeError} On misuse: a non-https `baseUrl` (other than loopback), a missing
   *   `tokenStore`, an unknown option, no `fetch` available.
   */
  constructor(options: PortcullisClientOptions) {
    this.#engine = new SessionEngine(resolveClientOptions(options));
    attachEngine(this, this.#engine);
  }

  /**
   * `fetch` with this session's credentials: adds `Authorization: DPoP <token>` and a fresh
   * `DPoP` proof, handles nonce challenges, and refreshes and retries once when the access token
   * is refused. Resolves with the `Response` whatever its status, like `fetch`.
   *
   * Only for the Portcullis origin (the `baseUrl`'s): the token is never sent elsewhere. A
   * path starting with `/` is appended to `baseUrl`. The body must be re-sendable (not a
   * stream), since the request may be sent up to four times; redirects are not followed.
   *
   * @param input A path (`/v1/...`) or an absolute URL on the `baseUrl` origin.
   * @param init As for `fetch`, without `Authorization` or `DPoP` headers.
   * @throws {ClientError} `NOT_SIGNED_IN`, `DPOP_KEY_UNAVAILABLE`, `NETWORK_ERROR`.
   * @example
   *   const response = await client.fetch('/v1/accounts/me');
   *   if (response.ok) console.log(await response.json());
   */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = this.#engine.resolveUserUrl(input, 'client.fetch');
    const headers = new Headers(init.headers);
    if (headers.has('authorization') || headers.has(DPOP_HEADER)) {
      throw new TypeError('client.fetch sets the Authorization and DPoP headers itself');
    }
    if (typeof ReadableStream !== 'undefined' && init.body instanceof ReadableStream) {
      throw new TypeError('client.fetch cannot retry a streamed body; pass a string, Blob, ArrayBuffer, FormData or URLSearchParams');
    }
    if (init.redirect === 'follow') throw new TypeError('client.fetch never follows redirects with credentials');
    const method = normaliseMethod(init.method ?? 'GET');
    return this.#engine.sendAuthorized(url, { ...init, method, headers, redirect: init.redirect ?? 'error', credentials: 'omit' });
  }

  /**
   * Exchanges the refresh token for a new token pair now. Rarely needed: every authenticated
   * call refreshes by itself when the access token is about to expire or was refused. Calls
   * made while a refresh is in flight share it.
   *
   * @throws {ApiError} `AUTH_REFRESH_INVALID` when the session is over (local tokens are then cleared).
   * @throws {ClientError} `NOT_SIGNED_IN` when there is no session.
   * @example
   *   const { accessTokenExpiresAt } = await client.refresh();
   */
  async refresh(): Promise<SessionInfo> {
    return sessionInfoOf(await this.#engine.sharedRefresh(undefined));
  }

  /**
   * The locally stored session, or `null` when signed out. Makes no request: the server may
   * have revoked the session meanwhile.
   *
   * @example
   *   if ((await client.currentSession()) === null) showSignIn();
   */
  async currentSession(): Promise<SessionInfo | null> {
    const tokens = await this.#engine.loadTokens();
    return tokens === null ? null : sessionInfoOf(tokens);
  }
}
