/**
 * The API reference page is HTML the server builds from strings, so it is held to the rules of
 * any page: every value encoded for its context, a strict per-response CSP (own script and
 * stylesheet only, Trusted Types with no policy), and sub-resources with exact content types
 * and `nosniff`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../app.ts';
import { buildTestApp } from '../../../test-support/build-test-app.ts';
import type { OpenApiDocument } from './document.ts';
import { renderDocsPage } from './render-page.ts';
import { SEARCH_SCRIPT } from './search-script.ts';

const PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

const HOSTILE: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: `API ${PAYLOAD}`, version: PAYLOAD },
  paths: {
    [`/v1/x/${PAYLOAD}`]: {
      post: {
        summary: `Summary ${PAYLOAD}`,
        description: `Description \`${PAYLOAD}\``,
        tags: [PAYLOAD],
        'x-portcullis-auth': PAYLOAD,
        'x-portcullis-permission': PAYLOAD,
        'x-portcullis-audit': PAYLOAD,
        parameters: [{ name: PAYLOAD, in: 'query', required: true, schema: { type: 'string', pattern: PAYLOAD, description: PAYLOAD } }],
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: [PAYLOAD],
                properties: { [PAYLOAD]: { type: 'string', enum: [PAYLOAD], description: PAYLOAD } },
              },
            },
          },
        },
        responses: {
          '200': { description: PAYLOAD, content: { 'application/json': { schema: { type: 'string', examples: [PAYLOAD] } } } },
        },
      },
    },
  },
};

describe('API reference page security', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it('V1.2.1: renders markup in every document value as text, in elements and in attributes', () => {
    const html = renderDocsPage(HOSTILE);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/"><img|onerror=alert\(2\)>/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    // The only script element is the page's own, loaded from its origin.
    expect(html.match(/<script/g)).toEqual(['<script']);
    expect(html).toContain('<script src="/docs/search.js" defer></script>');
  });

  it("V3.4.3: serves /docs under a CSP that allows only the page's own script and stylesheet, with Trusted Types and no policy", async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    // No inline script, style element or style attribute the CSP would have to allow.
    expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(response.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it.each([
    ['/docs/search.js', 'text/javascript; charset=utf-8'],
    ['/docs/docs.css', 'text/css; charset=utf-8'],
  ])('V3.4.4: serves %s as %s with nosniff', async (url, type) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('V3.2.2: the search script changes only visibility and text, never markup, and evaluates no strings', () => {
    expect(SEARCH_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|setTimeout\(['"`]/);
    expect(SEARCH_SCRIPT).toContain('.hidden =');
    expect(SEARCH_SCRIPT).toContain('.textContent =');
  });
});
