#!/usr/bin/env node
/**
 * Builds `@portcullis/sdk` into what its `exports` map promises to apps: ESM JavaScript under
 * `packages/sdk/dist/` (one file per subpath, shared code in `dist/chunks/`) and `.d.ts` files
 * under `dist/types/`. Plain `node`, bundlers and React Native load it without a TypeScript
 * loader. Runs as the repository's `prepare` script (so `npm install` and `npm ci` build it;
 * npm does not reliably run workspaces' own `prepare`), in `npm run build`, and before the SDK
 * is packed (`prepack`).
 *
 * Inside the repository nothing needs the build: the `portcullis-source` export condition
 * (tsconfig `customConditions`, Vitest and esbuild `conditions`) points tools and tests at the
 * TypeScript sources.
 *
 * The subpaths come from the package's `exports` map, the one list: each entry's
 * `portcullis-source` file is bundled to its `default` file. `@portcullis/protocol` must not be
 * needed at run time (the SDK imports only its types); it is marked external so that a stray
 * run-time import shows up as an import of it in `dist`, which the packaging test refuses.
 *
 * The build prints the sizes an app ships (minified, and gzipped): the whole SDK, and an app
 * that only signs in and calls `fetch`.
 */
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SDK_DIR = path.join(ROOT, 'packages/sdk');

/** The export condition that maps each subpath to its TypeScript source inside the repository. */
export const SOURCE_CONDITION = 'portcullis-source';

/** Budget of the "sign in + fetch" bundle, gzipped (issue: an app that only signs in ships ≤ 15 KB). */
export const SIGN_IN_FETCH_BUDGET_GZIP_BYTES = 15 * 1024;

/** What an app that only signs in and calls `fetch` imports. */
const SIGN_IN_FETCH_APP = `
import { CoreClient, MemoryTokenStore, isApiError } from '@portcullis/sdk/core';
import { signIn, signOut } from '@portcullis/sdk/sessions';
export { CoreClient, MemoryTokenStore, isApiError, signIn, signOut };
`;

/** An app that uses everything the main entry offers. */
const FULL_SDK_APP = `export * from '@portcullis/sdk';`;

/**
 * The package's subpaths: `{ subpath: '.', source: 'src/index.ts', output: 'dist/index.js' }`, …
 *
 * @returns {{ subpath: string; source: string; output: string }[]}
 */
export function sdkSubpaths() {
  const manifest = JSON.parse(readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8'));
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => ({ subpath, source: target[SOURCE_CONDITION], output: target.default }));
}

/**
 * Bundles every subpath into `outdir` as ES modules (what `dist/` holds). Clears the previous
 * JavaScript first, so no stale chunk survives; `types/` is left to `tsc`.
 *
 * @param {string} outdir
 */
export async function buildSdkJavaScript(outdir) {
  for (const stale of ['chunks', ...sdkSubpaths().map(({ output }) => path.basename(output))]) {
    rmSync(path.join(outdir, stale), { recursive: true, force: true });
    rmSync(path.join(outdir, `${stale}.map`), { force: true });
  }
  const entryPoints = Object.fromEntries(
    sdkSubpaths().map(({ source, output }) => [path.basename(output, '.js'), path.join(SDK_DIR, source)]),
  );
  await build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    // Browsers, React Native (Metro transpiles further) and Node 22+ all run ES2022.
    platform: 'neutral',
    target: 'es2022',
    conditions: [SOURCE_CONDITION],
    external: ['@simplewebauthn/browser', '@portcullis/protocol'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

/** The declarations into `packages/sdk/dist/types`, by `tsc -b` of the SDK's library project (incremental). */
export function buildSdkDeclarations() {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', path.join(SDK_DIR, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('tsc failed to emit the SDK declarations');
}

/**
 * Minified and gzipped size of an app's bundle for the browser, dependencies included.
 *
 * @param {string} source The app's entry module.
 * @returns {Promise<{ minBytes: number; gzipBytes: number; inputs: string[] }>}
 */
async function appBundleSize(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: SDK_DIR, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: [SOURCE_CONDITION],
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const text = result.outputFiles[0]?.text ?? '';
  const inputs = Object.keys(result.metafile.inputs);
  return { minBytes: Buffer.byteLength(text), gzipBytes: gzipSync(text, { level: 9 }).length, inputs };
}

/**
 * What apps ship: the whole SDK, and an app that only signs in and calls `fetch`.
 *
 * @returns {Promise<{ name: string; minBytes: number; gzipBytes: number; inputs: string[] }[]>}
 */
export async function measureSdkBundles() {
  return [
    { name: 'full SDK (@portcullis/sdk)', ...(await appBundleSize(FULL_SDK_APP)) },
    { name: 'sign in + fetch (core + sessions)', ...(await appBundleSize(SIGN_IN_FETCH_APP)) },
  ];
}

const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildSdkDeclarations();
  await buildSdkJavaScript(path.join(SDK_DIR, 'dist'));
  process.stderr.write('built packages/sdk/dist\n');
  for (const { name, minBytes, gzipBytes } of await measureSdkBundles()) {
    process.stderr.write(`  ${name.padEnd(36)} ${kilobytes(minBytes).padStart(9)} min  ${kilobytes(gzipBytes).padStart(8)} gzip\n`);
  }
}
