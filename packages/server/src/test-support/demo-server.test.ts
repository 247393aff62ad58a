/**
 * `startDemoServer`, which browser tests of the web app start from: a real server on a socket,
 * serving the given app under its CSP, with the demo clinic seeded.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_APP_CSP } from '../platform/http/security-headers.ts';
import { makeTempDir } from './build-test-app.ts';
import { testDatabases } from './databases.ts';
import { startDemoServer, type DemoServer } from './demo-server.ts';

describe.each(testDatabases())('startDemoServer on $dialect', ({ dialect }) => {
  let demo: DemoServer;
  let webDir: string;
  beforeAll(async () => {
    webDir = makeTempDir('portcullis-web-');
    mkdirSync(path.join(webDir, 'assets'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Clinic</title>');
    writeFileSync(path.join(webDir, 'assets', 'app-1A2B.js'), 'export {};\n');
    demo = await startDemoServer({ dialect, webDir });
  });
  afterAll(async () => {
    await demo.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves the app at its URL under the app CSP, and the API beside it', async () => {
    const page = await fetch(`${demo.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Clinic</title>');
    expect(page.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
    const deepLink = await fetch(`${demo.url}/patient/file`, { headers: { accept: 'text/html' } });
    expect(deepLink.status).toBe(200);
    expect((await fetch(`${demo.url}/assets/app-1A2B.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
  });

  it('returns the seeded accounts of every role with their passwords', () => {
    expect(demo.accounts.map((a) => a.role)).toEqual(['patient', 'patient', 'clinician', 'clinician', 'support', 'admin', 'auditor']);
    expect(demo.accounts.every((a) => a.password.length >= 20)).toBe(true);
  });
});
