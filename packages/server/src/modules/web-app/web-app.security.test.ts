/**
 * The web app served on the API's origin: its pages carry the app's strict CSP, its files come
 * only from the built directory (read at start), deep links of the app open index.html, and the
 * API keeps its own answers — problem+json 404 for unknown `/v1/…` paths, its own CSP, the
 * reference and health routes unchanged.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp, makeTempDir } from '../../test-support/build-test-app.ts';
import { API_CSP, WEB_APP_CSP } from '../../platform/http/security-headers.ts';
import { defaultWebAppDirectory } from './index.ts';

const INDEX =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/index-AB12CD.js"></script></head><body></body></html>';

function writeDist(): string {
  const dir = makeTempDir('portcullis-web-');
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'index-AB12CD.js'), 'console.log(1);\n');
  writeFileSync(path.join(dir, 'assets', 'index-EF34GH.css'), 'body{margin:0}\n');
  writeFileSync(path.join(dir, 'assets', 'logo-1234.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, 'assets', 'icon-5678.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(path.join(dir, 'favicon.ico'), Buffer.from([0, 0, 1, 0]));
  writeFileSync(path.join(dir, 'manifest.webmanifest'), '{"name":"Portcullis"}');
  writeFileSync(path.join(dir, 'secret.env'), 'TOKEN=1');
  writeFileSync(path.join(dir, '.hidden.js'), 'x');
  return dir;
}

/** Sends `target` byte for byte over a socket: no client library normalises the path first. */
async function rawGet(app: App, target: string): Promise<{ status: number; head: string; body: string }> {
  const address = app.server.address() as net.AddressInfo;
  const socket = net.connect(address.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(`GET ${target} HTTP/1.1\r\nHost: portcullis.test\r\nAccept: text/html\r\nConnection: close\r\n\r\n`);
  await new Promise((resolve) => socket.on('close', resolve));
  const text = Buffer.concat(chunks).toString('latin1');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), body };
}

describe('the web app is served under its own strict policy (ASVS V3.4.3, V3.4.4, V3.4.5, V3.4.8)', () => {
  let app: App;
  let dist: string;
  beforeAll(async () => {
    dist = writeDist();
    app = await buildTestApp({ config: { web: { dir: dist } } });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('V3.4.3 serves / as index.html with a CSP allowing only same-origin script and style, object-src and base-uri none, and Trusted Types', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toBe(WEB_APP_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('V3.4.4, V3.4.5, V3.4.8 pages send nosniff, no referrer, COOP same-origin, and a permissions policy allowing only passkeys', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    const permissions = String(response.headers['permissions-policy']);
    expect(permissions).toContain('camera=()');
    expect(permissions).toContain('microphone=()');
    expect(permissions).toContain('geolocation=()');
    expect(permissions).toContain('publickey-credentials-get=(self)');
    expect(permissions).toContain('publickey-credentials-create=(self)');
  });

  it.each([
    ['/assets/index-AB12CD.js', 'text/javascript; charset=utf-8'],
    ['/assets/index-EF34GH.css', 'text/css; charset=utf-8'],
    ['/assets/logo-1234.svg', 'image/svg+xml'],
    ['/assets/icon-5678.png', 'image/png'],
  ])('V3.4.4 serves the hashed asset %s as %s, nosniff, cached for a year as immutable', async (url, type) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Not a page: the API's own (stricter) CSP stays.
    expect(response.headers['content-security-policy']).toBe(API_CSP);
  });

  it.each([
    ['/favicon.ico', 'image/x-icon'],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
  ])('serves the unhashed file %s as %s, revalidated on each use', async (url, type) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('HEAD / answers the page headers without a body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers['content-security-policy']).toBe(WEB_APP_CSP);
  });

  it.each(['/patient/file', '/admin/accounts/', '/messages/3f1c9a2e-5b7d-4c1e-9a0b-6d2f8e4c1a7b', '/sign-in'])(
    'opens index.html for the app route %s when the browser asks for HTML',
    async (url) => {
      const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(INDEX);
      expect(response.headers['content-security-policy']).toBe(WEB_APP_CSP);
      expect(response.headers['cache-control']).toBe('no-cache');
    },
  );

  it.each([
    ['an unknown /v1/ path asking for HTML', '/v1/nothing/here', 'text/html'],
    ['/v1 itself', '/v1', 'text/html'],
    ['an app path asked for as JSON', '/patient/file', 'application/json'],
    ['an app path without Accept', '/patient/file', undefined],
    ['a missing file with an extension', '/assets/missing-0000.js', 'text/html'],
    ['a file of a type the app does not serve', '/secret.env', 'text/html'],
    ['a dotfile', '/.hidden.js', 'text/html'],
  ])('keeps the problem+json 404 for %s', async (_label, url, accept) => {
    const response = await app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    expect(response.headers['content-security-policy']).toBe(API_CSP);
  });

  it('keeps the problem+json 404 for other methods on app paths', async () => {
    const response = await app.inject({ method: 'POST', url: '/patient/file', headers: { accept: 'text/html' }, payload: {} });
    expect(response.statusCode).toBe(404);
    expect(response.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
  });

  it('leaves the API reference, the OpenAPI document and the health probes as they were', async () => {
    const docs = await app.inject({ method: 'GET', url: '/docs', headers: { accept: 'text/html' } });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('Portcullis API reference');
    expect(docs.headers['content-security-policy']).not.toBe(WEB_APP_CSP);
    const openapi = await app.inject({ method: 'GET', url: '/openapi.json', headers: { accept: 'text/html' } });
    expect(openapi.statusCode).toBe(200);
    const document = openapi.json<{ paths: Record<string, unknown> }>();
    // Hidden: the app's routes are not API operations.
    expect(Object.keys(document.paths).filter((p) => p === '/' || p.startsWith('/*'))).toEqual([]);
    const health = await app.inject({ method: 'GET', url: '/healthz', headers: { accept: 'text/html' } });
    expect(health.json()).toEqual({ status: 'ok' });
    expect(health.headers['content-security-policy']).toBe(API_CSP);
  });

  describe('V5.3.2, V13.4.7 only files of the built directory with a known type are served; paths never reach the disk', () => {
    beforeAll(async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
    });

    it.each([
      '/assets/../index.html',
      '/assets/../../../../etc/passwd',
      '/assets/%2e%2e/index.html',
      '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%5c..%5cpackage.json',
      '/assets\\..\\index.html',
      '/assets/index-AB12CD.js%00.html',
      '//etc/passwd',
      `/${path.join(process.cwd(), 'package.json')}`,
    ])('refuses %s without serving any file', async (target) => {
      const response = await rawGet(app, target);
      expect([400, 404]).toContain(response.status);
      expect(response.head).toContain('content-type: application/problem+json');
      expect(response.body).not.toContain('root:');
      expect(response.body).not.toContain('<!doctype html>');
    });

    it('serves the same file over a socket that inject serves (the walk is not vacuous)', async () => {
      const response = await rawGet(app, '/assets/index-AB12CD.js');
      expect(response.status).toBe(200);
      expect(response.body).toBe('console.log(1);\n');
    });
  });

  it('reads the files once at start: a file changed on disk afterwards is not served', async () => {
    writeFileSync(path.join(dist, 'assets', 'index-AB12CD.js'), 'alert(2);\n');
    writeFileSync(path.join(dist, 'assets', 'late-9999.js'), 'alert(3);\n');
    expect((await app.inject({ method: 'GET', url: '/assets/index-AB12CD.js' })).body).toBe('console.log(1);\n');
    expect((await app.inject({ method: 'GET', url: '/assets/late-9999.js' })).statusCode).toBe(404);
  });
});

describe('without a built app the server starts and says what to do', () => {
  let app: App;
  const logLines: string[] = [];
  beforeAll(async () => {
    app = await buildTestApp({ config: { web: { dir: path.join(makeTempDir('portcullis-web-'), 'missing') } }, logLines });
  });
  afterAll(() => app.close());

  it('logs one warning naming the fix', () => {
    const warnings = logLines.filter((line) => line.includes('web app not built'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('npm run build');
  });

  it.each(['/', '/patient/file'])('answers %s with 503 WEB_APP_NOT_BUILT', async (url) => {
    const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<{ code: string; detail?: string; title?: string }>();
    expect(problem.code).toBe('WEB_APP_NOT_BUILT');
    expect(JSON.stringify(problem)).toContain('npm run build');
  });

  it('still serves the API', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/nope', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });
});

describe('web.enabled: false serves no app', () => {
  it('answers / with the problem+json 404', async () => {
    const app = await buildTestApp({ config: { web: { enabled: false, dir: writeDist() } } });
    try {
      const response = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await app.close();
    }
  });
});

describe("web.dir unset: the checkout's packages/web/dist", () => {
  it.each([
    ['the bundled command', '/srv/checkout/packages/server/build/portcullis.mjs'],
    ['the TypeScript source', '/srv/checkout/packages/server/src/modules/web-app/files.ts'],
  ])('is found from %s', (_label, file) => {
    expect(defaultWebAppDirectory(`file://${file}`)).toBe('/srv/checkout/packages/web/dist');
  });
});
