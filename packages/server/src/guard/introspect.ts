/**
 * @module guard/introspect
 *
 * The guard's side of token introspection (RFC 7662): one `POST /v1/oauth/introspect` to
 * Portcullis with the service's client credentials (HTTP Basic, RFC 6749 section 2.3.1), and a
 * strict reading of the answer. Fails closed: a network error, a timeout, a redirect, any status
 * but 200 or an answer that does not have the documented shape is "unavailable" (the service
 * answers 503), never "active". The credentials only travel over HTTPS, except to a loopback
 * address (a Portcullis on the same host).
 */
import type { ActiveToken } from './introspection-cache.ts';

export const INTROSPECTION_PATH = '/v1/oauth/introspect';
/** RFC 7662 section 2.1 (`token` is at most 400 characters in Portcullis' schema). */
const MAX_TOKEN_LENGTH = 400;

export type IntrospectionOutcome =
  | { readonly kind: 'active'; readonly token: ActiveToken }
  | { readonly kind: 'inactive'; readonly detail: string }
  | { readonly kind: 'unavailable'; readonly detail: string };

export interface IntrospectionClient {
  readonly introspect: (token: string) => Promise<IntrospectionOutcome>;
}

export interface IntrospectionClientOptions {
  /** Base URL of the Portcullis server, e.g. `https://auth.example.com`. */
  readonly introspectionUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Give up after this long (default 5,000 ms) and answer 503. */
  readonly timeoutMs?: number;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 appendix B). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * The absolute introspection endpoint under `introspectionUrl`.
 *
 * @throws {TypeError} unless `introspectionUrl` is https (or http to a loopback host) without credentials.
 */
export function introspectionEndpoint(introspectionUrl: string): URL {
  let base: URL;
  try {
    base = new URL(introspectionUrl);
  } catch {
    throw new TypeError('portcullis guard: introspectionUrl is not an absolute URL');
  }
  const secure = base.protocol === 'https:' || (base.protocol === 'http:' && isLoopback(base.hostname));
  if (!secure) throw new TypeError('portcullis guard: introspectionUrl must be https (http only to a loopback address)');
  if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') {
    throw new TypeError('portcullis guard: introspectionUrl must not carry credentials, a query or a fragment');
  }
  return new URL(`${base.pathname.replace(/\/+$/, '')}${INTROSPECTION_PATH}`, base.origin);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Reads an RFC 7662 answer. Only `active: true` with every member the guard relies on counts as
 * active; a token that is not DPoP-bound (`token_type`, `cnf.jkt`) is refused like an inactive one.
 */
export function readIntrospectionAnswer(body: unknown): IntrospectionOutcome {
  if (typeof body !== 'object' || body === null) return { kind: 'unavailable', detail: 'introspection answer is not an object' };
  const answer = body as Record<string, unknown>;
  if (answer['active'] === false) return { kind: 'inactive', detail: 'token inactive' };
  if (answer['active'] !== true) return { kind: 'unavailable', detail: 'introspection answer malformed' };
  const cnf: unknown = answer['cnf'];
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['jkt'] : undefined;
  if (answer['token_type'] !== 'DPoP' || typeof jkt !== 'string' || jkt === '') return { kind: 'inactive', detail: 'token not DPoP-bound' };
  const { sub, sid, exp, acr, amr, roles } = answer;
  if (
    typeof sub !== 'string' ||
    typeof sid !== 'string' ||
    !Number.isInteger(exp) ||
    typeof acr !== 'string' ||
    !isStringArray(amr) ||
    !isStringArray(roles)
  ) {
    return { kind: 'unavailable', detail: 'introspection answer malformed' };
  }
  return { kind: 'active', token: { subject: sub, sessionId: sid, expiresAt: exp as number, jkt, acr, amr, roles } };
}

/**
 * @throws {TypeError} on invalid options (at creation, not per request).
 * @example
 *   const client = createIntrospectionClient({ introspectionUrl: 'https://auth.example.com', clientId, clientSecret });
 *   const outcome = await client.introspect(token);
 */
export function createIntrospectionClient(options: IntrospectionClientOptions): IntrospectionClient {
  const endpoint = introspectionEndpoint(options.introspectionUrl);
  if (typeof options.clientId !== 'string' || options.clientId === '') throw new TypeError('portcullis guard: clientId is required');
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '')
    throw new TypeError('portcullis guard: clientSecret is required');
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new TypeError('portcullis guard: timeoutMs must be a positive integer');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const authorization = `Basic ${Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')}`;

  return {
    introspect: async (token) => {
      // Portcullis would refuse these with 400; they cannot be active tokens, so do not ask.
      if (token.length > MAX_TOKEN_LENGTH) return { kind: 'inactive', detail: 'token too long' };
      let response: Response;
      try {
        response = await fetchImpl(endpoint, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ token }).toString(),
          // Never follow a redirect: it would carry the client credentials somewhere else.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        return { kind: 'unavailable', detail: 'introspection request failed' };
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        // 401 means this service's own credentials were refused: a configuration error, logged as such.
        return {
          kind: 'unavailable',
          detail: response.status === 401 ? 'introspection refused the client credentials' : `introspection answered ${response.status}`,
        };
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        return { kind: 'unavailable', detail: 'introspection answer is not JSON' };
      }
      return readIntrospectionAnswer(body);
    },
  };
}
