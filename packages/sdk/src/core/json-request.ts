/**
 * @module core/json-request
 *
 * What every SDK call sends: JSON in and out, no cookies, no redirects; and the argument checks
 * the feature functions share (misuse is a `TypeError`, never a request). Internal.
 */

export const JSON_ACCEPT = 'application/json, application/problem+json';

/** RFC 9110 §9.1 / Fetch: these method names are case-normalised by `fetch`, so `htm` must be too. */
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

export function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

/** Request options shared by every SDK call: JSON in and out, no cookies, no redirects. */
export function jsonInit(method: string, body?: unknown): RequestInit {
  const headers = new Headers({ accept: JSON_ACCEPT });
  if (body !== undefined) headers.set('content-type', 'application/json');
  return {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
    // The API never redirects; following one would carry the proof (and a token) to a URL it was not made for.
    redirect: 'error',
    // Authentication is the DPoP-bound token, never ambient cookies (no CSRF surface).
    credentials: 'omit',
  };
}

export function assertInput(value: unknown, method: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${method} expects an object`);
}

/** UUIDs, as the routes' `format: 'uuid'` params accept them; also keeps `../` out of paths. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks an id that goes into a path, so a caller's value can never change which route is
 * called (`../`, `?`, `#`).
 *
 * @param what Named in the `TypeError`, e.g. `'removePhone expects a factor id'`.
 */
export function assertUuid(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) throw new TypeError(what);
}

/** A query string from the defined members of `query` (`?a=1&b=2`, or `''` when none). */
export function queryString(query: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
