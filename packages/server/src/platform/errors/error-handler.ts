/**
 * @module platform/errors/error-handler
 *
 * The one place where any failure becomes an HTTP response: `application/problem+json`
 * (RFC 9457) with the stable `code` and the `requestId`. Fastify's own errors (schema
 * validation, body too large, bad JSON, wrong media type) are mapped to registry codes;
 * anything unexpected becomes a generic `INTERNAL_ERROR` whose cause is only logged.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemTypeFor, type Problem, type ValidationIssue } from '@portcullis/protocol';
import { type AppError, appError, isAppError } from './app-error.ts';
import { inputPointer } from './input-pointer.ts';
import { isDatabaseUnavailable } from '../db/availability.ts';
import { isKeyServiceUnavailable } from '../kms/index.ts';

/** Seconds a client should wait before retrying when a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

interface SchemaValidationError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

function validationIssues(error: FastifyError): ValidationIssue[] {
  const context = (error as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  const errors = (error.validation ?? []) as SchemaValidationError[];
  return errors.map((issue) => {
    const missing = issue.params?.['missingProperty'];
    const extra = issue.params?.['additionalProperty'];
    const leaf = typeof missing === 'string' ? [missing] : typeof extra === 'string' ? [extra] : [];
    // Ajv's instancePath is already a JSON pointer (`/a/0/b`, with `~` and `/` escaped).
    const path = (issue.instancePath ?? '').split('/').slice(1);
    return {
      pointer: inputPointer(context, [...path, ...leaf]),
      reason: typeof extra === 'string' ? 'is not allowed' : (issue.message ?? 'is invalid'),
    };
  });
}

/** Maps Fastify's framework errors onto registry codes; unknown errors become INTERNAL_ERROR. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) {
    return appError('SERVICE_UNAVAILABLE', {
      detail: 'database unreachable',
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      cause: error,
    });
  }
  if (isKeyServiceUnavailable(error)) {
    return appError('KEY_SERVICE_UNAVAILABLE', {
      detail: 'key service unreachable',
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      cause: error,
    });
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return appError('REQUEST_INVALID', { issues: validationIssues(fastifyError as FastifyError), cause: error });
  }
  switch (fastifyError.code) {
    // Raised by the router before any route matched (problem-responses.ts answers them).
    case 'FST_ERR_BAD_URL':
      return appError('REQUEST_URL_INVALID', { detail: 'path is not valid percent-encoded UTF-8', cause: error });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return appError('REQUEST_URL_TOO_LONG', { detail: 'path parameter over the router limit', cause: error });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return appError('REQUEST_MALFORMED', { detail: 'body length differs from Content-Length', cause: error });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return appError('REQUEST_BODY_TOO_LARGE', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return appError('REQUEST_MEDIA_TYPE_UNSUPPORTED', { cause: error });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return appError('REQUEST_INVALID', { issues: [{ pointer: '/body', reason: 'is not valid JSON' }], cause: error });
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return appError('REQUEST_INVALID', { issues: [{ pointer: '/body', reason: 'is not valid JSON' }], cause: error });
  }
  return appError('INTERNAL_ERROR', { cause: error });
}

/** Builds the problem body; unexposed errors never carry anything but the generic message. */
export function problemBody(error: AppError, requestId: string): Problem {
  const code = error.expose ? error.code : 'INTERNAL_ERROR';
  const body: Problem = {
    type: problemTypeFor(code),
    title: error.expose ? error.message : 'Internal server error',
    status: error.expose ? error.status : 500,
    code,
    requestId,
  };
  if (error.expose && error.publicDetail !== undefined) body.detail = error.publicDetail;
  if (error.expose && error.issues && error.issues.length > 0) body.errors = [...error.issues];
  if (error.expose && error.challenge) body.challenge = error.challenge;
  if (error.expose && error.shortfall) {
    body.requiredLevel = error.shortfall.requiredLevel;
    body.currentLevel = error.shortfall.currentLevel;
    body.methods = [...error.shortfall.methods];
  }
  if (error.expose && error.currentEpoch !== undefined) body.currentEpoch = error.currentEpoch;
  return body;
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  const body = problemBody(error, reply.request.id);
  for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

function logFailure(request: FastifyRequest, error: AppError): void {
  const fields = { err: error.cause ?? error, code: error.code, detail: error.detail };
  if (error.status >= 500) request.log.error(fields, 'request failed');
  else request.log.info({ code: error.code, detail: error.detail }, 'request refused');
}

/** Maps any failure to its problem, logs it by severity and sends it. */
export function answerWithProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const appErr = toAppError(error);
  logFailure(request, appErr);
  return sendProblem(reply, appErr);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => answerWithProblem(request, reply, error));
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, appError('ROUTE_NOT_FOUND')));
}
