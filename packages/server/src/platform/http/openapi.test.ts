/**
 * The OpenAPI 3.1 document is generated from the routes themselves, so it cannot drift from
 * what the server enforces; the reference page at `/docs` is rendered from it (docs/ has its tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';
import type { OpenApiDocument } from './openapi.ts';

describe('OpenAPI document and reference page', () => {
  let app: App;
  let document: OpenApiDocument & { components: { schemas: Record<string, unknown> } };
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes] });
    document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(() => app.close());

  it('is OpenAPI 3.1 and lists every route with its security contract', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/v1/fixture/records']?.['post']).toMatchObject({
      'x-portcullis-auth': 'aal2',
      'x-portcullis-permission': 'records:write_granted',
      'x-portcullis-audit': 'record.written',
      security: [{ DPoP: [] }],
    });
    expect(document.paths['/healthz']?.['get']).toMatchObject({ 'x-portcullis-auth': 'public', security: [] });
  });

  it('documents the problem+json shape as the error response of every operation', () => {
    expect(document.components.schemas).toHaveProperty('Problem');
    const operation = document.paths['/v1/fixture/records']?.['post'] as unknown as { responses: Record<string, unknown> };
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['201', '4XX', '5XX']));
  });

  it('renders the reference page at /docs from the same document (platform/http/docs)', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<code class="path">/v1/fixture/records</code>');
    expect(response.body).toContain('<dt>Permission</dt><dd><code>records:write_granted</code></dd>');
  });
});
