/**
 * @module platform/http/docs/routes
 *
 * The API reference at `/docs`, with its stylesheet and search script from the same origin. The
 * page's CSP allows exactly those two files: no inline script or style, no `eval`, and Trusted
 * Types with no policy, so no script on the page can turn a string into markup. The page is
 * rendered once, on first request, from the generated OpenAPI document.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocument } from './document.ts';
import { DOCS_STYLESHEET } from './docs-style.ts';
import { DOCS_SCRIPT_PATH, DOCS_STYLESHEET_PATH, renderDocsPage } from './render-page.ts';
import { SEARCH_SCRIPT } from './search-script.ts';

export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PUBLIC_PAGE = {
  config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
  schema: { hide: true, response: { 200: Type.String() } },
} as const;

/** Registers `/docs`, `/docs/docs.css` and `/docs/search.js`; `document` is read on the first request. */
export function registerDocsPages(app: FastifyInstance, document: () => OpenApiDocument): void {
  let page: string | undefined;
  app.get('/docs', PUBLIC_PAGE, async (_request, reply) => {
    page ??= renderDocsPage(document());
    void reply.header('content-security-policy', DOCS_CSP).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return page;
  });
  app.get(DOCS_STYLESHEET_PATH, PUBLIC_PAGE, async (_request, reply) => {
    void reply.header('cache-control', 'no-cache').type('text/css; charset=utf-8');
    return DOCS_STYLESHEET;
  });
  app.get(DOCS_SCRIPT_PATH, PUBLIC_PAGE, async (_request, reply) => {
    void reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8');
    return SEARCH_SCRIPT;
  });
}
