/**
 * Bad input gets a clear 4xx problem+json answer with a stable code and the request id; any
 * unexpected failure gets a generic 500 that reveals nothing. ASVS V16.5.1 (generic message),
 * V16.5.4 (last-resort handler), V2.2.1 (positive validation), V4.1.1 (content type).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';

describe('error model: application/problem+json (RFC 9457)', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes], config: { http: { bodyLimitBytes: 1024 } } });
  });
  afterAll(() => app.close());

  const post = (payload: unknown, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/v1/fixture/echo', headers: { 'content-type': contentType }, payload: payload as string });

  it('answers a schema violation with 400 REQUEST_INVALID, field pointers and the request id', async () => {
    const response = await post({ text: 42 });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    const body = response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      status: 400,
      code: 'REQUEST_INVALID',
      title: 'The request is invalid',
      requestId: response.headers['x-request-id'],
    });
    expect(body['errors']).toEqual([{ pointer: '/body/text', reason: expect.any(String) as string }]);
    expect(body['type']).toBe('https://portcullis.dev/errors#request-invalid');
  });

  it('refuses unknown properties instead of silently dropping them', async () => {
    const response = await post({ text: 'hi', isAdmin: true });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ pointer: '/body/isAdmin', reason: 'is not allowed' }] });
  });

  it('reports a missing property by its pointer', async () => {
    const response = await post({});
    expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID', errors: [{ pointer: '/body/text' }] });
  });

  it('answers malformed JSON with 400 REQUEST_INVALID', async () => {
    const response = await post('{"text": ');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID', errors: [{ pointer: '/body', reason: 'is not valid JSON' }] });
  });

  it('answers a body over the limit with 413 REQUEST_BODY_TOO_LARGE', async () => {
    const response = await post({ text: 'x'.repeat(2048) });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'REQUEST_BODY_TOO_LARGE' });
  });

  it('answers an unsupported media type with 415', async () => {
    const response = await post('text=hi', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' });
  });

  it('answers an invalid path parameter with 400 before any handler runs', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/v1/fixture/records/not-a-uuid' });
    // Authentication runs first: without credentials the answer is 401 whatever the parameter.
    expect(response.statusCode).toBe(401);
  });

  it('answers an unexpected failure with a generic 500 INTERNAL_ERROR that reveals nothing', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/fixture/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      type: 'https://portcullis.dev/errors#internal-error',
      title: 'Internal server error',
      status: 500,
      code: 'INTERNAL_ERROR',
      requestId: response.headers['x-request-id'],
    });
    expect(response.body).not.toMatch(/boom|secret|\/srv|\.ts|at /);
  });

  it('passes a deliberate refusal through with its code and headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/fixture/refuse' });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/does-not-exist' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});
