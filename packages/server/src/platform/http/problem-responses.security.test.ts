/**
 * Requests refused before any route runs get the same answer as every other refusal: status,
 * `application/problem+json; charset=utf-8`, a registry code, the request id, the security
 * headers, a request log line — and never a byte of the input. Sent as raw bytes over a real TLS
 * connection to the server `startServer` runs (HTTPS with the development certificate), because
 * some of these never reach Fastify: Node's HTTP parser answers them (`clientError`).
 *
 * ASVS V1.2.1 (output encoding: no input echoed into a response), V16.5.1 (generic message, no
 * internal detail), V3.4.1/V3.4.3/V3.4.4 and V14.3.2 (HSTS, CSP, nosniff and no-store on all
 * responses), V4.1.1 (Content-Type with charset on every body), V4.2.1 (conflicting message
 * framing refused), V16.3.3 (refused input logged).
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, problemTypeFor, type ErrorCode } from '@portcullis/protocol';
import { loadConfig } from '../../config/load.ts';
import { startServer, type RunningServer } from '../../server.ts';
import { captureLines, makeTempDir } from '../../test-support/build-test-app.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';
import { createLogger } from '../logging/logger.ts';
import { parserErrorCode } from './problem-responses.ts';
import { securityHeaders } from './security-headers.ts';

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Everything received, head and body. */
  readonly raw: string;
}

/** Writes `request` on a fresh TLS connection and reads until the server closes it. */
function exchange(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () =>
      socket.write(request),
    );
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.setTimeout(5000, () => socket.destroy(new Error(`no complete answer within 5 s; received ${JSON.stringify(raw)}`)));
    socket.on('error', reject);
    socket.on('close', () => {
      const end = raw.indexOf('\r\n\r\n');
      if (end === -1) return reject(new Error(`no HTTP response: ${JSON.stringify(raw)}`));
      const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4), raw });
    });
  });
}

/** A request with a body; the connection closes after the answer. */
function post(path: string, contentType: string, body: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

const PAYLOAD = '<script>alert(1)</script>';
const PAYLOAD_ENCODED = '%3Cscript%3Ealert(1)%3C/script%3E';

interface Case {
  readonly name: string;
  readonly request: string;
  readonly status: number;
  readonly code: ErrorCode;
}

const CASES: readonly Case[] = [
  {
    name: 'a path that is not valid percent-encoding (router: FST_ERR_BAD_URL)',
    request: `GET /v1/passkeys/%E0%A4%A${PAYLOAD} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    status: 400,
    code: 'REQUEST_URL_INVALID',
  },
  {
    name: 'a path parameter over the router limit (router: FST_ERR_MAX_PARAM_LENGTH)',
    request: `DELETE /v1/passkeys/${'a'.repeat(120)}${PAYLOAD} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    status: 414,
    code: 'REQUEST_URL_TOO_LONG',
  },
  {
    name: 'headers over the parser limit (Node: HPE_HEADER_OVERFLOW)',
    request: `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${PAYLOAD}${'a'.repeat(20_000)}\r\n\r\n`,
    status: 431,
    code: 'REQUEST_HEADERS_TOO_LARGE',
  },
  {
    name: 'a malformed request line (Node: HPE_INVALID_VERSION)',
    request: `GET /${PAYLOAD_ENCODED} HTTP/1.1 ${PAYLOAD}\r\nHost: localhost\r\n\r\n`,
    status: 400,
    code: 'REQUEST_MALFORMED',
  },
  {
    name: 'an invalid header name (Node: HPE_INVALID_HEADER_TOKEN)',
    request: `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-${PAYLOAD}: 1\r\n\r\n`,
    status: 400,
    code: 'REQUEST_MALFORMED',
  },
  {
    name: 'an HTTP/1.1 request without Host (RFC 9112 section 3.2)',
    request: `GET /${PAYLOAD_ENCODED} HTTP/1.1\r\nConnection: close\r\n\r\n`,
    status: 400,
    code: 'REQUEST_MALFORMED',
  },
  {
    name: 'a chunked body with a malformed chunk size',
    request: `POST /v1/fixture/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${PAYLOAD}\r\n0\r\n\r\n`,
    status: 400,
    code: 'REQUEST_MALFORMED',
  },
  {
    name: 'Content-Length together with Transfer-Encoding (request smuggling)',
    request: post('/v1/fixture/echo', 'application/json', '{"text":"hi"}', 'Transfer-Encoding: chunked\r\n'),
    status: 400,
    code: 'REQUEST_MALFORMED',
  },
  {
    name: 'a Content-Length that is not a number',
    request: `POST /v1/fixture/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${PAYLOAD}\r\n\r\n{}`,
    status: 400,
    code: 'REQUEST_MALFORMED',
  },
  {
    name: 'an unsupported media type',
    request: post('/v1/fixture/echo', 'text/html', PAYLOAD),
    status: 415,
    code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED',
  },
  {
    name: 'an invalid Content-Type value',
    request: post('/v1/fixture/echo', `${PAYLOAD}/json`, '{"text":"hi"}'),
    status: 415,
    code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED',
  },
  {
    name: 'JSON that does not parse',
    request: post('/v1/fixture/echo', 'application/json', `{"text": "${PAYLOAD}`),
    status: 400,
    code: 'REQUEST_INVALID',
  },
  {
    name: 'JSON with a prototype-poisoning key',
    request: post('/v1/fixture/echo', 'application/json', `{"__proto__": {"${PAYLOAD}": 1}, "text": "hi"}`),
    status: 400,
    code: 'REQUEST_INVALID',
  },
  {
    name: 'a property name the schema does not allow',
    request: post('/v1/fixture/echo', 'application/json', `{"text": "hi", "${PAYLOAD}": 1}`),
    status: 400,
    code: 'REQUEST_INVALID',
  },
  {
    name: 'a body over the limit',
    request: post('/v1/fixture/echo', 'application/json', `{"text": "${PAYLOAD}${'a'.repeat(2048)}"}`),
    status: 413,
    code: 'REQUEST_BODY_TOO_LARGE',
  },
];

describe('refusals below the router, over a real TLS connection', () => {
  let server: RunningServer;
  let port: number;
  let expectedHeaders: Readonly<Record<string, string>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    const { config } = loadConfig({
      overrides: {
        environment: 'test',
        dataDir: makeTempDir(),
        http: { port: 0, tls: { mode: 'self-signed' }, bodyLimitBytes: 1024 },
        metrics: { enabled: false },
        log: { level: 'info' },
      },
    });
    expectedHeaders = securityHeaders(config);
    expect(expectedHeaders['strict-transport-security']).toBeDefined();
    server = await startServer(config, { logger: createLogger(config, captureLines(logLines)), plugins: [fixtureRoutes] });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());

  it.each(CASES)('$name → $status $code', async ({ request, status, code }) => {
    const response = await exchange(port, request);
    expect(response.status, response.raw).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const problem = JSON.parse(response.body) as Record<string, unknown>;
    expect(problem).toMatchObject({ status, code, title: ERRORS[code].message, type: problemTypeFor(code) });
    // Nothing of the input comes back, in any form.
    expect(response.raw).not.toMatch(/script|alert|%3C/i);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(problem['requestId']).toBe(requestId);
    for (const [name, value] of Object.entries(expectedHeaders)) expect(response.headers[name], name).toBe(value);
    const lines = logLines.map((text) => JSON.parse(text) as Record<string, unknown>).filter((entry) => entry['reqId'] === requestId);
    expect(lines.filter((entry) => entry['msg'] === 'request completed')).toEqual([expect.objectContaining({ level: 'info', status })]);
  });

  it('maps a request that did not arrive in time to 408 REQUEST_TIMEOUT and any other parser error to 400', () => {
    expect(parserErrorCode('ERR_HTTP_REQUEST_TIMEOUT')).toBe('REQUEST_TIMEOUT');
    expect(parserErrorCode('HPE_HEADER_OVERFLOW')).toBe('REQUEST_HEADERS_TOO_LARGE');
    expect(parserErrorCode('HPE_SOMETHING_NEW')).toBe('REQUEST_MALFORMED');
  });

  it('still serves a well-formed request after all of them', async () => {
    const response = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(response.status).toBe(200);
  });
});
