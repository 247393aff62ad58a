/**
 * @module platform/http/request-logging
 *
 * One log line per request, written when the response is done (Fastify's default writes two).
 * The line names the route pattern, the status and the duration; the URL is logged with its
 * query values redacted, and no header or body is logged at all.
 */
import type { FastifyInstance } from 'fastify';

export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        req: request,
        route: request.is404 ? undefined : request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });
}
