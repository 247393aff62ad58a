/**
 * The one form-body parser reads a body exactly one way: a repeated parameter, a malformed
 * escape, an escaped byte sequence that is not UTF-8, an unescaped character or a charset other
 * than UTF-8 is refused, never repaired; names like `__proto__` are plain keys; the per-context
 * body limit holds; the body is never echoed. ASVS V15.3.7 (HTTP parameter pollution), V15.3.6
 * (prototype pollution), V2.2.1 (positive input validation), V1.2.1 (no echo of input).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { FORM_CONTENT_TYPE, parseFormBody, registerFormBody } from './form-body.ts';

/** A public route that echoes the parsed form, in a context with its own form parser. */
async function formEcho(app: FastifyInstance): Promise<void> {
  registerFormBody(app, { bodyLimitBytes: 256 });
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/v1/fixture/form',
    {
      config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
      schema: {
        body: Type.Record(Type.String(), Type.String()),
        response: { 200: Type.Object({ names: Type.Array(Type.String()), values: Type.Array(Type.String()) }) },
      },
    },
    (request) => ({ names: Object.keys(request.body), values: Object.values(request.body) }),
  );
}

describe('form bodies (application/x-www-form-urlencoded)', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [formEcho] });
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType = FORM_CONTENT_TYPE) =>
    app.inject({ method: 'POST', url: '/v1/fixture/form', headers: { 'content-type': contentType }, payload });

  it('decodes `+`, percent-escapes and UTF-8 the WHATWG way', async () => {
    const response = await post('grant_type=a+b&token=%E2%9C%93%2B&empty=&flag', `${FORM_CONTENT_TYPE}; charset=UTF-8`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ names: ['grant_type', 'token', 'empty', 'flag'], values: ['a b', '✓+', '', ''] });
  });

  it('refuses a repeated parameter, naming it (RFC 6749 section 3.1: no one chooses which copy wins)', async () => {
    const response = await post('token=a&hint=x&token=b');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'REQUEST_INVALID',
      errors: [{ pointer: '/body/token', reason: 'must not be repeated' }],
    });
    // Encoded differently, still the same name.
    expect((await post('token=a&%74oken=b')).statusCode).toBe(400);
  });

  it('refuses malformed escapes and escaped bytes that are not UTF-8 instead of repairing them', async () => {
    for (const body of ['token=%zz', 'token=%E2%9C', 'token=%FF', 'to%ken=a']) {
      const response = await post(body);
      expect(response.statusCode, body).toBe(400);
      expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID', errors: [{ reason: 'is not valid percent-encoded UTF-8' }] });
    }
  });

  it('refuses characters a form encoder would have escaped (raw spaces, controls, non-ASCII)', async () => {
    for (const body of ['token=a b', 'token=a\r\nx=1', 'token=é']) {
      const response = await post(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ errors: [{ pointer: '/body', reason: 'must be percent-encoded ASCII' }] });
    }
  });

  it('refuses a charset other than UTF-8 with 415', async () => {
    const response = await post('token=a', `${FORM_CONTENT_TYPE}; charset=ISO-8859-1`);
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' });
  });

  it('keeps the body limit of its context (413)', async () => {
    const response = await post(`token=${'a'.repeat(300)}`);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'REQUEST_BODY_TOO_LARGE' });
  });

  it('never quotes an odd parameter name back', async () => {
    const response = await post('%3Cscript%3E=1&%3Cscript%3E=2');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ pointer: '/body', reason: 'must not be repeated' }] });
    expect(response.body).not.toMatch(/script/i);
  });

  it('is registered only where a plugin asks for it: other routes still refuse form bodies (415)', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: { 'content-type': FORM_CONTENT_TYPE },
      payload: 'email=a%40b.test&password=x',
    });
    expect(response.statusCode).toBe(415);
  });
});

describe('parseFormBody', () => {
  it('returns an object without a prototype: `__proto__` and `constructor` are plain names', () => {
    const fields = parseFormBody('__proto__=x&constructor=y&toString=z');
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(Object.entries(fields)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['toString', 'z'],
    ]);
  });

  it('reports every repeated parameter at once', () => {
    expect(() => parseFormBody('a=1&b=2&a=3&b=4')).toThrow(
      expect.objectContaining({
        issues: [
          { pointer: '/body/a', reason: 'must not be repeated' },
          { pointer: '/body/b', reason: 'must not be repeated' },
        ],
      }),
    );
  });
});
