/**
 * @module guard/introspection-cache
 *
 * Remembers positive introspection answers so a busy service does not ask Portcullis on every
 * request. An entry lives at most `ttlSeconds` (≤ 30) and never past the token's own `exp`, so a
 * revoked session or signed-out device is refused by the service within `ttlSeconds` at worst
 * (ASVS V7.4.1: the window is the documented price of not asking every time; set 0 to ask every
 * time). Keys are SHA-256 of the token, so a heap dump of the cache holds no usable token — and
 * the token alone is useless anyway without the device key the DPoP proof is checked against on
 * every request, cached or not. Inactive answers are not cached. Bounded: the oldest entry goes
 * first when full (that only costs one more introspection).
 */
import { sha256Base64Url } from '../platform/crypto/jwk.ts';

/** What the guard needs from an active introspection answer. */
export interface ActiveToken {
  readonly subject: string;
  readonly sessionId: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** RFC 7638 thumbprint of the key the token is bound to (`cnf.jkt`). */
  readonly jkt: string;
  readonly acr: string;
  readonly amr: readonly string[];
  readonly roles: readonly string[];
}

export interface IntrospectionCache {
  /** Seconds a positive answer may be reused; 0 disables caching. */
  readonly ttlSeconds: number;
  get(token: string): ActiveToken | undefined;
  set(token: string, active: ActiveToken): void;
}

export interface IntrospectionCacheOptions {
  /** At most 30 (the revocation window the guard promises); default 30. */
  readonly ttlSeconds?: number;
  /** Default 10,000 entries (a few MB). */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** The longest a revoked token may still be accepted by a service using the guard. */
export const MAX_CACHE_TTL_SECONDS = 30;

/**
 * @throws {TypeError} when `ttlSeconds` is not an integer from 0 to 30, or `maxEntries` is not positive.
 * @example
 *   const cache = createIntrospectionCache({ ttlSeconds: 10 });
 */
export function createIntrospectionCache(options: IntrospectionCacheOptions = {}): IntrospectionCache {
  const ttlSeconds = options.ttlSeconds ?? MAX_CACHE_TTL_SECONDS;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_CACHE_TTL_SECONDS) {
    throw new TypeError(`createIntrospectionCache: ttlSeconds must be an integer from 0 to ${MAX_CACHE_TTL_SECONDS}`);
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new TypeError('createIntrospectionCache: maxEntries must be a positive integer');
  const entries = new Map<string, { readonly active: ActiveToken; readonly until: number }>();

  return {
    ttlSeconds,
    get(token) {
      if (ttlSeconds === 0) return undefined;
      const key = sha256Base64Url(token);
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.until <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.active;
    },
    set(token, active) {
      if (ttlSeconds === 0) return;
      const until = Math.min(now() + ttlSeconds * 1000, active.expiresAt * 1000);
      if (until <= now()) return;
      const key = sha256Base64Url(token);
      entries.delete(key);
      while (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { active, until });
    },
  };
}
