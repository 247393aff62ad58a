/**
 * The listeners as a client meets them over real sockets: TLS ≥ 1.2 with forward-secret AEAD
 * suites only, no API over plain HTTP, a redirect-only HTTP listener, and metrics reachable on
 * the loopback admin listener but not on the public port. ASVS V12.1.1, V12.1.2, V4.1.2,
 * V13.4.5.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/load.ts';
import { startServer, type RunningServer } from './server.ts';
import { makeTempDir } from './test-support/build-test-app.ts';
import { createLogger } from './platform/logging/logger.ts';

interface Handshake {
  readonly ok: boolean;
  readonly protocol?: string | null;
  readonly cipher?: string;
}

function handshake(port: number, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options });
    socket.once('secureConnect', () => {
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().standardName });
      socket.destroy();
    });
    socket.once('error', () => resolve({ ok: false }));
  });
}

function get(
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { rejectUnauthorized: false, ...options }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** What a plain-HTTP request to the TLS port gets back: no HTTP response at all. */
function plainHttpTo(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    socket.setTimeout(3000, () => socket.destroy());
  });
}

describe('listeners over real sockets', () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    const { config } = loadConfig({
      overrides: {
        environment: 'test',
        dataDir: makeTempDir(),
        http: { port: 0, tls: { mode: 'self-signed' }, redirect: { enabled: true, port: 0 } },
        metrics: { enabled: true, port: 0 },
        log: { level: 'silent' },
      },
    });
    server = await startServer(config, { logger: createLogger(config) });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());

  it('serves the API over HTTPS with the generated development certificate for localhost', async () => {
    const response = await get(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers['strict-transport-security']).toContain('max-age=31536000');
    const certificate = await new Promise<tls.PeerCertificate>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate());
        socket.destroy();
      });
    });
    expect(certificate.subjectaltname).toContain('DNS:localhost');
    expect(certificate.asn1Curve ?? certificate.nistCurve).toMatch(/prime256v1|P-256/);
  });

  it('negotiates TLS 1.3 by default', async () => {
    expect(await handshake(port, {})).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('accepts TLS 1.2 only with ECDHE and an AEAD cipher', async () => {
    const result = await handshake(port, { maxVersion: 'TLSv1.2' });
    expect(result.ok).toBe(true);
    expect(result.cipher).toMatch(/^TLS_ECDHE_ECDSA_WITH_(AES_(128|256)_GCM|CHACHA20_POLY1305)/);
  });

  it('refuses TLS 1.0 and 1.1', async () => {
    expect((await handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).ok).toBe(false);
  });

  it('refuses TLS 1.2 clients that offer only CBC suites', async () => {
    expect(
      (
        await handshake(port, {
          maxVersion: 'TLSv1.2',
          ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384',
        })
      ).ok,
    ).toBe(false);
  });

  it('never answers plain HTTP on the API port', async () => {
    expect(await plainHttpTo(port)).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('redirects GET on the plain-HTTP listener to the HTTPS public URL, path kept', async () => {
    const response = await get(`${server.redirectUrl}/docs?x=1`);
    expect(response.status).toBe(308);
    expect(response.headers.location).toBe('https://localhost:8443/docs?x=1');
  });

  it('refuses every other method on the plain-HTTP listener with 400 HTTPS_REQUIRED', async () => {
    const response = await get(`${server.redirectUrl}/v1/sessions`, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'HTTPS_REQUIRED' });
  });

  it('serves Prometheus metrics on the loopback admin listener only', async () => {
    await get(`${server.url}/healthz`);
    const metrics = await get(server.metricsUrl ?? '');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('portcullis_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('route="/healthz"');
    expect(new URL(server.metricsUrl ?? '').hostname).toBe('127.0.0.1');
    const onPublicPort = await get(`${server.url}/metrics`);
    expect(onPublicPort.status).toBe(404);
  });
});

describe('TLS with an operator-supplied RSA certificate (tls.mode "files")', () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    const dataDir = makeTempDir();
    // Test fixture key, generated per run: an RSA certificate is what makes static-RSA suites possible at all.
    const rsa = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
    writeFileSync(path.join(dataDir, 'cert.pem'), rsa.cert);
    writeFileSync(path.join(dataDir, 'key.pem'), rsa.private);
    const { config } = loadConfig({
      overrides: {
        environment: 'test',
        dataDir,
        http: { port: 0, tls: { mode: 'files', certFile: path.join(dataDir, 'cert.pem'), keyFile: path.join(dataDir, 'key.pem') } },
        metrics: { enabled: false },
        log: { level: 'silent' },
      },
    });
    server = await startServer(config, { logger: createLogger(config) });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());

  it('negotiates ECDHE with AES-GCM on TLS 1.2', async () => {
    const result = await handshake(port, { maxVersion: 'TLSv1.2' });
    expect(result.cipher).toMatch(/^TLS_ECDHE_RSA_WITH_(AES_(128|256)_GCM|CHACHA20_POLY1305)/);
  });

  it.each([
    ['static RSA key exchange (no forward secrecy)', 'AES128-GCM-SHA256:AES256-GCM-SHA384'],
    ['CBC mode with ECDHE', 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA'],
    ['finite-field DHE', 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384'],
  ])('refuses TLS 1.2 clients that offer only %s', async (_name, ciphers) => {
    expect((await handshake(port, { maxVersion: 'TLSv1.2', ciphers })).ok).toBe(false);
  });
});
