/**
 * @module modules/accounts/password/test-support/range-server
 *
 * A real HTTP server on 127.0.0.1 (ephemeral port) that speaks the Have I Been Pwned range API
 * format, for tests of `hibp.ts` and `policy.ts`. It records every request exactly as received
 * (method, URL, raw header lines, body bytes) so a test can prove what left the process.
 * Test code only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** `rawHeaders` joined as `name: value` lines, in the order sent. */
  readonly headerLines: readonly string[];
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export type RangeHandler = (request: RecordedRequest, response: ServerResponse) => void;

export interface RangeServer {
  /** `http://127.0.0.1:<port>/range/` — use as `passwords.hibp.url`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces how the next requests are answered. */
  handle(handler: RangeHandler): void;
  close(): Promise<void>;
}

/** Answers `SUFFIX:COUNT` lines for the prefix, as the API does (CRLF separated). */
export function rangeBody(lines: readonly (readonly [suffix: string, count: number])[]): string {
  return lines.map(([suffix, count]) => `${suffix}:${count}`).join('\r\n');
}

/** Padding lines like the API's `Add-Padding` ones: random suffixes with count 0. */
export function paddingLines(count: number): [string, number][] {
  const lines: [string, number][] = [];
  for (let i = 0; i < count; i++) {
    let suffix = '';
    for (let j = 0; j < 35; j++) suffix += '0123456789ABCDEF'.charAt(Math.floor(Math.random() * 16));
    lines.push([suffix, 0]);
  }
  return lines;
}

export async function startRangeServer(initial: RangeHandler): Promise<RangeServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headerLines: string[] = [];
      for (let i = 0; i < request.rawHeaders.length; i += 2) headerLines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headerLines,
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      handler(recorded, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/range/`,
    requests,
    handle(next) {
      handler = next;
    },
    async close() {
      // Handlers that never answer (timeout tests) leave sockets open; end them.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
