/**
 * @module modules/web-app
 *
 * Serves the reference web app (`packages/web`, built into `web.dir`) on the API's own origin:
 * `/` and the app's files from memory (files.ts), and `index.html` for the app's own deep links
 * (`/patient/file`) so a reload or a shared link opens the right page. Everything else that no
 * route matches — any `/v1/…` path, a path with a file extension, a request that does not ask for
 * HTML — keeps the API's `404 ROUTE_NOT_FOUND`. Pages carry the app's Content-Security-Policy
 * (platform/http/security-headers.ts `WEB_APP_HEADERS`) instead of the API's; files keep the
 * API's headers. The routes are public and hidden from the OpenAPI document: they are not API.
 */
import Type from 'typebox';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { WEB_APP_HEADERS } from '../../platform/http/security-headers.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';
import { defaultWebAppDirectory, loadWebAppFiles, type WebAppFile, type WebAppFiles } from './files.ts';

export { defaultWebAppDirectory } from './files.ts';

/**
 * A path the app may route itself: slash-separated words without dots (so no file extension and
 * no `.`/`..` segment) and without percent-encoding, optionally ending in a slash.
 */
const APP_ROUTE = /^(?:\/[A-Za-z0-9_~-]+)+\/?$/;

const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';

export interface WebAppDeps {
  readonly config: Pick<Config, 'web'>;
  readonly logger: FastifyBaseLogger;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes('text/html');
}

function send(reply: FastifyReply, file: WebAppFile): FastifyReply {
  if (file.html) void reply.headers(WEB_APP_HEADERS);
  return reply
    .header('cache-control', file.immutable ? HASHED_ASSET_CACHE : 'no-cache')
    .type(file.contentType)
    .send(file.body);
}

/** Whether an unmatched GET is one of the app's own pages (see the module comment). */
function isAppRoute(request: FastifyRequest, path: string): boolean {
  return !path.startsWith('/v1/') && path !== '/v1' && APP_ROUTE.test(path) && acceptsHtml(request);
}

export function webAppRoutes(deps: WebAppDeps) {
  return async function webApp(app: RouteApp): Promise<void> {
    const directory = deps.config.web.dir ?? defaultWebAppDirectory();
    const bundle: WebAppFiles = loadWebAppFiles(directory);
    if (!bundle.index) {
      deps.logger.warn(
        { webDir: directory },
        'web app not built: no index.html in web.dir; / answers 503 WEB_APP_NOT_BUILT until `npm run build` and a restart',
      );
    }
    const page = (reply: FastifyReply): FastifyReply => {
      if (!bundle.index) throw appError('WEB_APP_NOT_BUILT');
      return send(reply, bundle.index);
    };
    const contract = { auth: 'public', permission: 'none', audit: 'none', limit: 'none' } as const;
    const schema = { hide: true, response: { 200: Type.String() } };

    app.get('/', { config: contract, schema }, async (_request, reply) => page(reply));
    app.get('/*', { config: contract, schema }, async (request, reply) => {
      const path = pathOf(request.url);
      const file = bundle.files.get(path);
      if (file) return send(reply, file);
      if (isAppRoute(request, path)) return page(reply);
      throw appError('ROUTE_NOT_FOUND');
    });
  };
}
