/**
 * @module platform/http/cors
 *
 * CORS by exact-origin allow-list, and a cross-origin write guard. Browsers attach `Origin` to
 * every cross-origin request that can change state; such a request from an origin that is not
 * allowed is refused before any handler runs (defence against CSRF even if a future route
 * accepted cookies). Native apps send no `Origin` and pass untouched. Preflights are answered
 * here, so no catch-all `OPTIONS` route exists outside the route contract.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.ts';
import { appError } from '../errors/app-error.ts';
import { sendProblem } from '../errors/error-handler.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD']);
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'authorization, content-type, dpop, portcullis-step-up, x-request-id';
const EXPOSED_HEADERS = 'dpop-nonce, retry-after, www-authenticate, x-request-id';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is the target of cross-site HTML form posts by design (OAuth 2.0 `form_post`
     * responses, e.g. Sign in with Apple) and carries its own CSRF defence. A form-encoded POST
     * from any origin reaches it; it gets no CORS headers, and every other cross-origin request
     * to it is still refused.
     */
    crossOriginFormPost?: boolean;
  }
}

/** A plain HTML form submission to a route that declared it expects one from other sites. */
function isDeclaredFormPost(request: FastifyRequest): boolean {
  const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return (
    request.method === 'POST' &&
    request.routeOptions.config.crossOriginFormPost === true &&
    contentType === 'application/x-www-form-urlencoded'
  );
}

export function registerCors(app: FastifyInstance, config: Config): void {
  const selfOrigin = new URL(config.publicUrl).origin;
  const allowed = new Set(config.http.cors.allowedOrigins);
  const allowAny = allowed.has('*');
  const isAllowed = (origin: string): boolean => origin === selfOrigin || allowAny || allowed.has(origin);

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) return done();
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!isAllowed(origin)) {
      if (preflight || (!SAFE_METHODS.has(request.method) && !isDeclaredFormPost(request))) {
        void sendProblem(reply, appError('CORS_ORIGIN_FORBIDDEN', { detail: 'origin not in allow-list' }));
        return;
      }
      return done();
    }
    void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (!preflight) {
      void reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      return done();
    }
    void reply
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS)
      .code(204)
      .send();
  });
}
