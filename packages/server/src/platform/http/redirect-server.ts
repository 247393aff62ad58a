/**
 * @module platform/http/redirect-server
 *
 * The optional plain-HTTP listener. It never serves the API: `GET`/`HEAD` are redirected (308)
 * to the same path on `publicUrl`, and every other request is refused with `400 HTTPS_REQUIRED`
 * without reading its body — a client that sent credentials over plain HTTP must not be
 * encouraged to resend them by a redirect that preserves the method.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { PROBLEM_CONTENT_TYPE } from '@portcullis/protocol';
import { appError } from '../errors/app-error.ts';
import { problemBody } from '../errors/error-handler.ts';

export function createRedirectServer(publicUrl: string): http.Server {
  const target = new URL(publicUrl).origin;
  return http.createServer((request, response) => {
    const requestId = randomUUID();
    response.setHeader('x-request-id', requestId);
    response.setHeader('cache-control', 'no-store');
    if (request.method === 'GET' || request.method === 'HEAD') {
      const path = (request.url ?? '/').startsWith('/') ? (request.url ?? '/') : '/';
      response.writeHead(308, { location: target + path }).end();
      return;
    }
    const body = JSON.stringify(problemBody(appError('HTTPS_REQUIRED'), requestId));
    response.writeHead(400, { 'content-type': PROBLEM_CONTENT_TYPE, connection: 'close' }).end(body);
  });
}
