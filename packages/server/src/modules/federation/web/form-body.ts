/**
 * @module modules/federation/web/form-body
 *
 * `response_mode=form_post` (OAuth 2.0 Form Post Response Mode; Sign in with Apple) delivers the
 * authorization response as an `application/x-www-form-urlencoded` POST. Fastify does not parse
 * form bodies, and no other route should start to: this parser is registered only in the
 * encapsulated context of the callback route, with a small body limit. A parameter sent twice is
 * refused (RFC 6749 section 3.1), so no one chooses which copy wins.
 */
import type { FastifyInstance } from 'fastify';
import { appError } from '../../../platform/errors/app-error.ts';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** A code, a state, Apple's `user` JSON and a few provider extras. */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;

export function parseFormBody(body: string): Record<string, string> {
  const fields = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(fields, name))
      throw appError('REQUEST_INVALID', {
        detail: 'repeated form parameter',
        issues: [{ pointer: '/body', reason: 'parameters must not be repeated' }],
      });
    fields[name] = value;
  }
  return fields;
}

export function registerFormBody(app: FastifyInstance): void {
  app.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
