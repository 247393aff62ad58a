/**
 * @module platform/http/request-logging
 *
 * One log line per request, written when the response is done (Fastify's default writes two).
 * The line names the route pattern, the status and the duration; the URL is logged with its
 * query values redacted, and no header or body is logged at all.
 *
 * Level by outcome: refusals (4xx) at `info` and failures (5xx) at `warn`, so the production
 * level keeps every security-relevant request; routine successes at `debug`. Success counts
 * and latencies are in the metrics, and security events in the audit log, so writing a line
 * per successful request would cost a quarter of the request budget for no new information.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type RequestLogLevel = 'warn' | 'info' | 'debug';

/** Failures at `warn`, refusals at `info`, routine successes at `debug`. */
export function requestLogLevel(status: number): RequestLogLevel {
  return status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
}

/**
 * Writes the request's one line. Also called for requests answered before any route matched
 * (problem-responses.ts), which Fastify's hooks never see.
 */
export function logCompletedRequest(request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  // A disabled level is a no-op function in pino: the hot path only builds this small object.
  const route = request.is404 ? undefined : request.routeOptions.url;
  request.log[requestLogLevel(status)]({ req: request, route, status, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
}

export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    logCompletedRequest(request, reply);
    done();
  });
}
