/**
 * What the server loads at start. In the ES module bundle that `npm start` runs, every static
 * `import` is loaded when the process starts, used or not; the libraries of optional features
 * are imported where they are first used instead, so a process that never uses a feature never
 * pays its memory. This fails when one of them is imported statically again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../tools/build.mjs';

/** Loaded on first use: passkeys, TOTP, federation, metrics, SMTP and the PKCS#11 key service are optional. */
const LOADED_ON_FIRST_USE = [
  '@simplewebauthn/server',
  'otpauth',
  'qrcode',
  'openid-client',
  'jose',
  'prom-client',
  'nodemailer',
  'pkcs11js',
];

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** npm packages named by the bundle's top-level `import … from "…"` and `import "…"` statements. */
function packagesLoadedAtStart(bundle: string): string[] {
  const specifiers = [...bundle.matchAll(/^import\s+(?:[^;"]*?\s*from\s*)?"([^"]+)"/gm)].map((match) => match[1] ?? '');
  return [...new Set(specifiers.filter((specifier) => !specifier.startsWith('node:')).map(packageOf))].sort();
}

describe('the server bundle', () => {
  let outdir: string;
  let atStart: string[];

  beforeAll(async () => {
    // Bundled beside, not over, the build the CLI tests run.
    outdir = mkdtempSync(path.join(tmpdir(), 'portcullis-bundle-'));
    atStart = packagesLoadedAtStart(readFileSync(await buildServer(outdir), 'utf8'));
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('loads what every request needs at start', () => {
    expect(atStart).toEqual(expect.arrayContaining(['fastify', 'pino', 'typebox']));
  });

  it('does not load the libraries of optional features at start', () => {
    expect(atStart.filter((name) => LOADED_ON_FIRST_USE.includes(name))).toEqual([]);
  });
});
