/**
 * @module guard/fastify
 *
 * `portcullisGuard(options)`: `verifyRequest` as a Fastify plugin for the app team's services.
 * It adds one `onRequest` hook — before the body is read — to the scope it is registered in
 * (and every route in it), answers refusals with Portcullis-style problem JSON (RFC 9457) and
 * the `WWW-Authenticate` challenge, and sets `request.portcullis` for the handlers.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ERRORS, PROBLEM_CONTENT_TYPE, problemTypeFor, type Problem } from '@portcullis/protocol';
import { createMemoryReplayCache } from '../modules/sessions/index.ts';
import { createIntrospectionCache } from './introspection-cache.ts';
import { resolveGuard, verifyRequest, type GuardOptions, type PortcullisIdentity } from './verify-request.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by `portcullisGuard` on every route it protects; `null` elsewhere. */
    portcullis: PortcullisIdentity | null;
  }
}

/**
 * @param options See `GuardOptions`; checked when the plugin is created (TypeError on misuse).
 * @example
 *   const app = Fastify();
 *   await app.register(
 *     portcullisGuard({
 *       introspectionUrl: 'https://auth.example.com',
 *       clientId: 'billing',
 *       clientSecret: process.env.PORTCULLIS_CLIENT_SECRET,
 *       publicUrl: 'https://billing.example.com',
 *     }),
 *   );
 *   app.get('/v1/invoices', async (request) => listInvoices(request.portcullis!.subject));
 */
export function portcullisGuard(options: GuardOptions): FastifyPluginAsync {
  // One cache and one replay cache per registration, unless the caller shares their own.
  const guardOptions: GuardOptions = {
    ...options,
    cache: options.cache ?? createIntrospectionCache(options.cacheTtlSeconds === undefined ? {} : { ttlSeconds: options.cacheTtlSeconds }),
    replayCache: options.replayCache ?? createMemoryReplayCache(),
  };
  resolveGuard(guardOptions);

  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.decorateRequest('portcullis', null);
    app.addHook('onRequest', async (request, reply) => {
      const result = await verifyRequest({ method: request.method, url: request.url, headers: request.headers }, guardOptions);
      if (result.ok) {
        const { ok: _ok, ...identity } = result;
        request.portcullis = identity;
        return;
      }
      request.log.info({ code: result.code, detail: result.detail }, 'portcullis guard refused the request');
      const body: Problem = {
        type: problemTypeFor(result.code),
        title: ERRORS[result.code].message,
        status: result.status,
        code: result.code,
        requestId: request.id,
      };
      if (result.wwwAuthenticate !== undefined) void reply.header('www-authenticate', result.wwwAuthenticate);
      if (result.retryAfterSeconds !== undefined) void reply.header('retry-after', String(result.retryAfterSeconds));
      return reply.code(result.status).header('cache-control', 'no-store').type(PROBLEM_CONTENT_TYPE).send(body);
    });
  };
  // As fastify-plugin does: the hook applies to the scope that registers the plugin, not to an
  // empty child scope of its own.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'portcullis-guard' });
  return plugin;
}
