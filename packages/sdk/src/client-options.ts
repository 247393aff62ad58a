/**
 * @module client-options
 *
 * Validates `PortcullisClient` options once, at construction, and turns them into the resolved
 * values the client runs on. Misuse is a `TypeError` thrown here, never a failed request later
 * (ARCHITECTURE.md "Config model": SDK config is a typed options object validated at
 * construction). Internal.
 */
import { type Clock, systemClock } from './clock.ts';
import { type DpopKeyStore, MemoryDpopKeyStore } from './dpop/key-store.ts';
import type { TokenStore } from './storage/token-store.ts';

/** Options of `new PortcullisClient(options)`. */
export interface PortcullisClientOptions {
  /**
   * Where the Portcullis API is served, e.g. `https://auth.example.com` (a path prefix such as
   * `https://example.com/auth` is kept). Must be `https:`; plain `http:` is accepted only for
   * `localhost`, `127.0.0.1` and `[::1]` during development.
   */
  readonly baseUrl: string | URL;
  /** Tokens' home between calls; see {@link TokenStore} for which adapter to pick per platform. */
  readonly tokenStore: TokenStore;
  /** The DPoP key's home. Default: {@link MemoryDpopKeyStore} (the session ends with the page or process). */
  readonly keyStore?: DpopKeyStore | undefined;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  readonly fetch?: typeof fetch | undefined;
  /** Time source for proofs and token expiry. Default: the device clock. */
  readonly clock?: Clock | undefined;
  /**
   * How long before the access token expires the client refreshes it instead of using it, in
   * seconds (absorbs clock skew and request latency). Default 30; 0–300.
   */
  readonly refreshLeewaySeconds?: number | undefined;
}

export interface ResolvedClientOptions {
  /** Origin plus path prefix, without a trailing slash: `https://auth.example.com/prefix`. */
  readonly baseUrl: string;
  readonly origin: string;
  readonly fetch: typeof fetch;
  readonly tokenStore: TokenStore;
  readonly keyStore: DpopKeyStore;
  readonly clock: Clock;
  readonly refreshLeewayMs: number;
}

const KNOWN_OPTIONS = new Set(['baseUrl', 'tokenStore', 'keyStore', 'fetch', 'clock', 'refreshLeewaySeconds']);

/** Hosts that never leave the machine, where plain http cannot be observed on the network. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const DEFAULT_REFRESH_LEEWAY_SECONDS = 30;
const MAX_REFRESH_LEEWAY_SECONDS = 300;

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}

function resolveBaseUrl(value: unknown): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError('baseUrl must be a string or URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('baseUrl must be an absolute URL such as https://auth.example.com');
  }
  // ASVS V12.2.1: tokens, passwords and proofs only travel over TLS. Loopback is the one
  // exception, for local development against `portcullis start`.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new TypeError('baseUrl must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])');
  }
  if (url.username !== '' || url.password !== '') throw new TypeError('baseUrl must not contain credentials');
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must not have a query or fragment');
  return url;
}

function resolveFetch(value: unknown): typeof fetch {
  const candidate = value ?? (globalThis as { fetch?: unknown }).fetch;
  if (typeof candidate !== 'function') {
    throw new TypeError(value === undefined ? 'globalThis.fetch is not available: pass options.fetch' : 'fetch must be a function');
  }
  const fetchFunction = candidate as typeof fetch;
  // Called unbound, as a plain function: browsers throw "Illegal invocation" when window.fetch
  // is called with another object as `this`.
  return (input, init) => fetchFunction(input, init);
}

/** Validates the options of `PortcullisClient`; throws `TypeError` on misuse. */
export function resolveClientOptions(options: PortcullisClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || (options as unknown) === null) throw new TypeError('PortcullisClient options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`Unknown PortcullisClient option: ${key}`);
  }
  const baseUrl = resolveBaseUrl(options.baseUrl);

  if (!hasMethods(options.tokenStore, ['load', 'save', 'clear'])) {
    throw new TypeError('tokenStore must implement load(), save() and clear() (e.g. new MemoryTokenStore())');
  }
  const keyStore = options.keyStore ?? new MemoryDpopKeyStore();
  if (!hasMethods(keyStore, ['get', 'put', 'delete'])) throw new TypeError('keyStore must implement get(), put() and delete()');
  const clock = options.clock ?? systemClock;
  if (!hasMethods(clock, ['now'])) throw new TypeError('clock must implement now()');

  const leeway = options.refreshLeewaySeconds ?? DEFAULT_REFRESH_LEEWAY_SECONDS;
  if (typeof leeway !== 'number' || !Number.isInteger(leeway) || leeway < 0 || leeway > MAX_REFRESH_LEEWAY_SECONDS) {
    throw new TypeError(`refreshLeewaySeconds must be an integer from 0 to ${MAX_REFRESH_LEEWAY_SECONDS}`);
  }

  return Object.freeze({
    baseUrl: `${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, '')}`,
    origin: baseUrl.origin,
    fetch: resolveFetch(options.fetch),
    tokenStore: options.tokenStore,
    keyStore,
    clock,
    refreshLeewayMs: leeway * 1000,
  });
}
