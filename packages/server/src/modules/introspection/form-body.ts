/**
 * @module modules/introspection/form-body
 *
 * RFC 7662 section 2.1 sends the introspection request as `application/x-www-form-urlencoded`,
 * which Fastify does not parse by default. This parser is registered inside the introspection
 * plugin only (Fastify encapsulation), so no other route starts accepting form bodies, and it
 * has its own small body limit. A parameter sent twice is refused (RFC 6749 section 3.2: request
 * parameters "MUST NOT be included more than once"), so no one can pick which copy wins.
 */
import type { FastifyInstance } from 'fastify';
import type { ValidationIssue } from '@portcullis/protocol';
import { appError } from '../../platform/errors/app-error.ts';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** A token is at most 400 characters; the rest of the request is a hint or two. */
export const FORM_BODY_LIMIT_BYTES = 4096;

const SAFE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Decodes a form body into an object without a prototype (so `__proto__=` is just a name).
 *
 * @throws {AppError} `REQUEST_INVALID` when a parameter is repeated.
 */
export function parseFormBody(body: string): Record<string, string> {
  const fields = Object.create(null) as Record<string, string>;
  const repeated: ValidationIssue[] = [];
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(fields, name)) {
      repeated.push({ pointer: SAFE_NAME.test(name) ? `/body/${name}` : '/body', reason: 'must not be repeated' });
    }
    fields[name] = value;
  }
  if (repeated.length > 0) throw appError('REQUEST_INVALID', { detail: 'repeated form parameter', issues: repeated });
  return fields;
}

/** Registers the form parser in the given (encapsulated) plugin context. */
export function registerFormBody(app: FastifyInstance): void {
  app.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
