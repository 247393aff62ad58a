#!/usr/bin/env node
/**
 * Builds the reference web app (`packages/web`) into `packages/web/dist/`, which the server
 * serves at `/`: `index.html`, and content-hashed files under `assets/` (the entry script, the
 * chunks it loads later, the stylesheet, the icon). Runs in `npm start` and `npm run build`.
 *
 * esbuild bundles the app with the SDK's TypeScript sources (`portcullis-source` condition), as
 * everywhere in the repository; Preact's JSX runtime; code splitting, so views that load heavy
 * code on first use (messaging and its MLS library) do not weigh on the sign-in page.
 *
 * The page has no inline script or style (the server's CSP forbids both): `index.html` only
 * names the hashed entry script and stylesheet. The build prints the JavaScript the sign-in page
 * loads (the entry and every chunk it imports statically), gzipped, and fails above the budget.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB = path.join(ROOT, 'packages/web');

/** Where the built app goes; the server's `web.dir` default points here. */
export const WEB_DIST_DIR = path.join(WEB, 'dist');

/** The most JavaScript (gzipped) the sign-in page may load before it is usable. */
export const INITIAL_SCRIPT_BUDGET_BYTES = 150 * 1024;

/**
 * Builds the app into `outdir` and returns what the sign-in page loads.
 *
 * @param {{ outdir?: string, quiet?: boolean }} [options]
 * @returns {Promise<{ initialScriptGzipBytes: number, files: string[] }>}
 */
export async function buildWebApp(options = {}) {
  const outdir = options.outdir ?? WEB_DIST_DIR;
  rmSync(outdir, { recursive: true, force: true });
  const assets = path.join(outdir, 'assets');
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: path.join(WEB, 'src/main.tsx') },
    outdir: assets,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    conditions: ['portcullis-source'],
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const relative = (file) => path.relative(outdir, path.resolve(ROOT, file)).split(path.sep).join('/');
  const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint && file.endsWith('.js'));
  const stylesheet = Object.keys(outputs).find((file) => file.endsWith('.css'));
  if (!entry || !stylesheet) throw new Error('build-web: esbuild produced no entry script or stylesheet');

  const html = readFileSync(path.join(WEB, 'index.html'), 'utf8')
    .replace('%SCRIPT%', `/${relative(entry)}`)
    .replace('%STYLESHEET%', `/${relative(stylesheet)}`);
  writeFileSync(path.join(outdir, 'index.html'), html);
  copyFileSync(path.join(WEB, 'icon.svg'), path.join(assets, 'icon.svg'));

  // The entry and the chunks it imports statically: what runs before the first screen.
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const imported of outputs[file].imports) if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
  };
  visit(entry);
  const initialScriptGzipBytes = [...initial].reduce((sum, file) => sum + gzipSync(readFileSync(path.resolve(ROOT, file))).length, 0);
  if (!options.quiet) {
    process.stdout.write(
      `built packages/web/dist: sign-in page JavaScript ${(initialScriptGzipBytes / 1024).toFixed(1)} KB gzipped (budget ${INITIAL_SCRIPT_BUDGET_BYTES / 1024} KB), ${Object.keys(outputs).length} files\n`,
    );
  }
  if (initialScriptGzipBytes > INITIAL_SCRIPT_BUDGET_BYTES) {
    throw new Error(
      `build-web: the sign-in page loads ${initialScriptGzipBytes} bytes of gzipped JavaScript, over the budget of ${INITIAL_SCRIPT_BUDGET_BYTES}`,
    );
  }
  return { initialScriptGzipBytes, files: Object.keys(outputs).map(relative) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWebApp();
}
