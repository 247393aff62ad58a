/**
 * @module platform/http/octet-stream-body
 *
 * The one `application/octet-stream` parser, for routes that take opaque bytes (encrypted
 * attachments). Like the form parser, Fastify does not parse such bodies by default: a plugin
 * registers this one in its own encapsulated context only, with the body limit its route needs;
 * larger bodies answer `413 REQUEST_BODY_TOO_LARGE` before they are buffered in full.
 */
import type { FastifyInstance } from 'fastify';

export const OCTET_STREAM = 'application/octet-stream';

export function registerOctetStreamBody(app: FastifyInstance, options: { readonly bodyLimitBytes: number }): void {
  app.addContentTypeParser(OCTET_STREAM, { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) => {
    done(null, body);
  });
}
