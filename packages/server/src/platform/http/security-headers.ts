/**
 * @module platform/http/security-headers
 *
 * Headers on every response, errors and 404s included: HSTS (when served over HTTPS), a CSP
 * that forbids everything (the API serves JSON; the reference at `/docs` relaxes it for its own
 * script and stylesheet only, see http/docs/routes.ts, and the web app's pages replace it with
 * `WEB_APP_HEADERS`), no MIME sniffing, no framing, no referrer, isolation from other origins, and
 * `Cache-Control: no-store` so no intermediary keeps personal data (ASVS V14.3.2).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.ts';

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The web app's pages (modules/web-app): scripts, styles, fetches and workers from this origin
 * only — no inline script, no `eval`, and DOM sinks that would parse strings as HTML or script
 * refused outright (Trusted Types with no policy). ASVS V3.4.3.
 */
export const WEB_APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Every powerful feature off, except the passkey ceremonies the app runs on its own origin. */
const WEB_APP_PERMISSIONS_POLICY = [
  'camera=()',
  'microphone=()',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'display-capture=()',
  'publickey-credentials-get=(self)',
  'publickey-credentials-create=(self)',
].join(', ');

/** What an HTML page of the web app carries instead of the API's CSP and permissions policy. */
export const WEB_APP_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': WEB_APP_CSP,
  'permissions-policy': WEB_APP_PERMISSIONS_POLICY,
});

export function hstsValue(hsts: Config['http']['hsts']): string {
  return [`max-age=${hsts.maxAgeSeconds}`, hsts.includeSubDomains ? 'includeSubDomains' : '', hsts.preload ? 'preload' : '']
    .filter(Boolean)
    .join('; ');
}

export function securityHeaders(config: Config): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    'content-security-policy': API_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'cache-control': 'no-store',
  };
  if (config.publicUrl.startsWith('https://')) headers['strict-transport-security'] = hstsValue(config.http.hsts);
  return Object.freeze(headers);
}

/** Sets the static headers and echoes the request id (generated server-side, never taken from the client). */
export function registerSecurityHeaders(app: FastifyInstance, headers: Readonly<Record<string, string>>): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header('x-request-id', request.id);
    done();
  });
}
