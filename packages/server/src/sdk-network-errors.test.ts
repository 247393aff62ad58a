/**
 * A request that gets no answer says why: the SDK's `NETWORK_ERROR` names the URL and the
 * platform's reason, and keeps the platform error as `cause`. Tested against a real TLS server
 * with the development certificate `portcullis start` makes (self-signed, so untrusted until
 * the client is told to trust it), and against a closed port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientError, MemoryTokenStore, PortcullisClient, isClientError } from '@portcullis/sdk';
import { loadOrCreateDevCertificate } from './platform/http/tls.ts';

let dataDir: string;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'portcullis-sdk-tls-'));
  const { cert, key } = await loadOrCreateDevCertificate(dataDir);
  server = createServer({ cert, key }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted","message":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function signUpFailure(url: string): Promise<ClientError> {
  const client = new PortcullisClient({ baseUrl: url, tokenStore: new MemoryTokenStore() });
  const error = await client.signUp({ email: 'ada@example.com', password: 'correct horse battery staple' }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isClientError(error, 'NETWORK_ERROR')) throw new Error(`expected NETWORK_ERROR, got ${String(error)}`);
  return error;
}

describe('NETWORK_ERROR', () => {
  it('names an untrusted certificate, with the platform error as its cause', async () => {
    const error = await signUpFailure(baseUrl);
    // Node 24 adds a hint between the two ("; if the root CA is installed locally, try … --use-system-ca").
    expect(error.message).toMatch(
      new RegExp(
        `^The request to ${escapeRegExp(baseUrl)}/v1/accounts failed: self-signed certificate\\b.*\\(DEPTH_ZERO_SELF_SIGNED_CERT\\)$`,
      ),
    );
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as { cause?: { code?: string } }).cause?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('names a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${String((closed.address() as AddressInfo).port)}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await signUpFailure(url);
    expect(error.message).toMatch(new RegExp(`^The request to ${escapeRegExp(url)}/v1/accounts failed: .*ECONNREFUSED`));
  });
});
