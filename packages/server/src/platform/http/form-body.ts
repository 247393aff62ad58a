/**
 * @module platform/http/form-body
 *
 * The one `application/x-www-form-urlencoded` parser. OAuth endpoints receive form bodies
 * (RFC 7662 token introspection; the `form_post` response mode of Sign in with Apple); nothing
 * else should start to, so Fastify does not parse them by default and a plugin registers this
 * parser only in its own encapsulated context, with a body limit sized for what it expects.
 *
 * Stricter than `URLSearchParams` alone, because a lenient decoder lets two parties read one
 * body differently:
 * - a parameter sent twice is refused (RFC 6749 section 3.1 and 3.2: request and response
 *   parameters "MUST NOT be included more than once"), so no one chooses which copy wins;
 * - a malformed percent-escape or an escaped byte sequence that is not UTF-8 is refused instead
 *   of being passed on literally or replaced by U+FFFD, and so is any character a form encoder
 *   would have escaped (everything outside visible ASCII: a raw space, control or non-ASCII
 *   byte);
 * - a declared charset other than UTF-8 is refused (415): the body would decode to other text;
 * - the result has no prototype, so `__proto__=` or `constructor=` is just a name.
 * Parameter names appear in the answer only when they are plain (input-pointer.ts): the body is
 * never echoed.
 */
import type { FastifyInstance } from 'fastify';
import type { ValidationIssue } from '@portcullis/protocol';
import { appError } from '../errors/app-error.ts';
import { inputPointer } from '../errors/input-pointer.ts';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** What a form encoder emits: visible ASCII only (WHATWG URL, application/x-www-form-urlencoded serializing). */
const ENCODED_FORM = /^[\x21-\x7E]*$/;

export interface FormBodyOptions {
  /** Largest body accepted, in bytes; larger ones answer `413 REQUEST_BODY_TOO_LARGE`. */
  readonly bodyLimitBytes: number;
}

/** WHATWG form decoding (`+` is a space) that refuses what `URLSearchParams` would repair. */
function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined; // URIError: a bad escape or an escape sequence that is not UTF-8
  }
}

/**
 * Decodes a form body into an object without a prototype.
 *
 * @throws {AppError} `REQUEST_INVALID` when a parameter is repeated or badly encoded.
 */
export function parseFormBody(body: string): Record<string, string> {
  if (!ENCODED_FORM.test(body)) {
    throw appError('REQUEST_INVALID', {
      detail: 'unescaped characters in form body',
      issues: [{ pointer: '/body', reason: 'must be percent-encoded ASCII' }],
    });
  }
  const fields = Object.create(null) as Record<string, string>;
  const issues: ValidationIssue[] = [];
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = decodeComponent(separator === -1 ? pair : pair.slice(0, separator));
    const value = decodeComponent(separator === -1 ? '' : pair.slice(separator + 1));
    if (name === undefined || value === undefined) {
      issues.push({ pointer: name === undefined ? '/body' : inputPointer('body', [name]), reason: 'is not valid percent-encoded UTF-8' });
      continue;
    }
    if (Object.hasOwn(fields, name)) issues.push({ pointer: inputPointer('body', [name]), reason: 'must not be repeated' });
    fields[name] = value;
  }
  if (issues.length > 0) throw appError('REQUEST_INVALID', { detail: 'malformed form body', issues });
  return fields;
}

/** The `charset` parameter of a Content-Type value, lower-cased, or undefined when there is none. */
function declaredCharset(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [key, value] = parameter.split('=', 2).map((part) => part.trim());
    if (key?.toLowerCase() === 'charset') return value?.replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/** Registers the form parser in the given (encapsulated) plugin context only. */
export function registerFormBody(app: FastifyInstance, options: FormBodyOptions): void {
  app.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string', bodyLimit: options.bodyLimitBytes }, (request, body, done) => {
    try {
      const charset = declaredCharset(request.headers['content-type']);
      if (charset !== undefined && charset !== 'utf-8') {
        throw appError('REQUEST_MEDIA_TYPE_UNSUPPORTED', { detail: 'form body charset other than UTF-8' });
      }
      done(null, parseFormBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
