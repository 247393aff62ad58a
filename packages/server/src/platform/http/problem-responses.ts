/**
 * @module platform/http/problem-responses
 *
 * Every refusal is `application/problem+json` with a registry code, the request id and the
 * security headers, and none repeats the input — including the ones given before any route
 * runs:
 *
 * - **Route responses.** The shared `Problem` schema is the 4xx/5xx response of every route. It
 *   doubles as an allow-list (fields not in `Problem` never leave the server), and the OpenAPI
 *   document shows every route's error shape.
 * - **Router errors** (Fastify `frameworkErrors`): a path that is not valid percent-encoded
 *   UTF-8, or a path parameter over the router's limit. Fastify answers these outside the
 *   request hooks, so the security headers, the request id and the request log line are added
 *   here; the mapping to codes is the error handler's (`toAppError`).
 * - **Requests without `Host`**: Node's own bare 400 is turned off and the check runs as a hook.
 * - **HTTP parser errors** (Node's `clientError`): headers over the parser's limit, a malformed
 *   request line or header, conflicting message framing, a request that did not arrive in time.
 *   Node raises these before any request object exists, so the answer is written on the socket
 *   by hand — status line, the same headers, the problem body — and the connection is closed
 *   (the parser cannot find the next request in a stream it could not read).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemSchema, type ErrorCode, type Problem } from '@portcullis/protocol';
import { appError } from '../errors/app-error.ts';
import { answerWithProblem, problemBody } from '../errors/error-handler.ts';
import { logCompletedRequest, requestLogLevel } from './request-logging.ts';

const PROBLEM_REF = { $ref: 'Problem#' };

export function registerProblemResponses(app: FastifyInstance): void {
  app.addSchema(ProblemSchema);
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (!response) return; // the route contract rejects this route
    response['4xx'] ??= PROBLEM_REF;
    response['5xx'] ??= PROBLEM_REF;
  });
}

/**
 * RFC 9112 section 3.2: a server must answer 400 to an HTTP/1.1 request without `Host`. Node
 * would send a bare 400 itself (`requireHostHeader`, turned off in app.ts); refused here, the
 * request gets the problem answer, the headers and the log line of every other.
 */
export function refuseRequestsWithoutHost(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.host === undefined && request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor >= 1) {
      done(appError('REQUEST_MALFORMED', { detail: 'HTTP/1.1 request without Host' }));
      return;
    }
    done();
  });
}

/** What the answers given outside the request hooks need: the headers every response carries, and where to log. */
export interface BelowRouterOptions {
  /** The static security headers (security-headers.ts). */
  readonly headers: Readonly<Record<string, string>>;
  readonly logger: FastifyBaseLogger;
}

/**
 * Fastify's `frameworkErrors` option: answers a router error with its problem, the security
 * headers and the request id, and writes the request's log line.
 */
export function answerRouterError(
  options: Pick<BelowRouterOptions, 'headers'>,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    void reply.headers(options.headers).header('x-request-id', request.id);
    answerWithProblem(request, reply, error);
    logCompletedRequest(request, reply);
  };
}

/** Node's parser error codes (llhttp `HPE_*`, `ERR_HTTP_*`) as registry codes. */
export function parserErrorCode(nodeCode: string): ErrorCode {
  switch (nodeCode) {
    case 'HPE_HEADER_OVERFLOW':
      return 'REQUEST_HEADERS_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    default:
      return 'REQUEST_MALFORMED';
  }
}

/** The complete HTTP/1.1 response carrying `problem`, as text ready for the socket (all ASCII but the body). */
function rawProblemResponse(problem: Problem, headers: Readonly<Record<string, string>>): string {
  const body = JSON.stringify(problem);
  const fields: Record<string, string> = {
    ...headers,
    'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': problem.requestId,
    connection: 'close',
  };
  const head = Object.entries(fields).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${problem.status} ${http.STATUS_CODES[problem.status] ?? ''}\r\n${head.join('')}\r\n${body}`;
}

/**
 * Whether a response to an earlier request on this keep-alive connection has started: writing
 * now would corrupt it. Node keeps the response in flight on the socket (`_httpMessage`; its
 * `clientError` documentation says such a socket must be destroyed without an answer).
 */
function responseInFlight(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * Fastify's `clientErrorHandler` option (Node's `clientError` event): answers an HTTP parser
 * error with a hand-written problem response and closes the connection. Logged like any other
 * request, by the code alone: the raw bytes Node attaches to the error may hold credentials.
 */
export function answerParserError(options: BelowRouterOptions): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (!socket.writable || responseInFlight(socket)) {
      socket.destroy();
      return;
    }
    const code = parserErrorCode(error.code ?? '');
    const problem = problemBody(appError(code), randomUUID());
    const { status, requestId } = problem;
    options.logger[requestLogLevel(status)]({ reqId: requestId, status, code, parserError: error.code }, 'request completed');
    // end(), not write() then destroy(): the answer must leave before the connection closes.
    socket.end(rawProblemResponse(problem, options.headers), () => socket.destroy());
  };
}
