/**
 * @module platform/http/security-headers
 *
 * Headers on every response, errors and 404s included: HSTS (when served over HTTPS), a CSP
 * that forbids everything (the API serves JSON; the reference at `/docs` relaxes it for its own
 * script and stylesheet only, see http/docs/routes.ts), no MIME sniffing, no framing, no referrer, isolation from other origins, and
 * `Cache-Control: no-store` so no intermediary keeps personal data (ASVS V14.3.2).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.ts';

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

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
