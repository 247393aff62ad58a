#!/usr/bin/env node
/**
 * `npm run build`: compiles the `portcullis` command (server and CLI) into one JavaScript file,
 * `packages/server/build/portcullis.mjs`, that plain `node` runs without a TypeScript loader.
 *
 * Why a bundle: the workspace packages ship as TypeScript source, which Node 22 cannot load
 * without a flag, and a loader in production costs start-up time and about 35 MB of memory per
 * process. esbuild only strips types (type checking stays with `tsc -b`) and inlines our own
 * modules; every npm dependency stays an ordinary import resolved from node_modules at run time,
 * so native modules (better-sqlite3, argon2) and packages that read their own files keep working.
 *
 * The audit verifier's worker thread is a second entry point, written beside the bundle under
 * the name the server looks for (`page-worker.mjs`, resolved relative to the running module).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(ROOT, 'packages/server');

/** Where `npm run build` writes the command; `build/portcullis.mjs` is what `npm start` runs. */
export const SERVER_BUILD_DIR = path.join(SERVER, 'build');

/**
 * Node flags the server runs with (`npm start`; add them to `node` or NODE_OPTIONS in your own
 * process manager). `--max-semi-space-size` caps V8's young generation, which otherwise grows
 * to 3 × 16 MB under request load and is most of a busy server's growth in memory; at 4 MB
 * scavenges run more often but each stays short, because request garbage dies young.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];

function dependenciesOf(packageDir) {
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  return Object.keys(manifest.dependencies ?? {});
}

/**
 * npm packages the bundle imports at run time instead of inlining: every dependency of the
 * server and the protocol package. Workspace packages (`@portcullis/*`) are TypeScript source
 * and are always inlined.
 */
function runtimeExternals() {
  const names = [SERVER, path.join(ROOT, 'packages/protocol')].flatMap(dependenciesOf);
  return [...new Set(names)].filter((name) => !name.startsWith('@portcullis/'));
}

/**
 * Bundles Node entry points (name → TypeScript file) into `outdir` as ES modules. Shared with
 * the benchmark runner, which compiles its target process the same way.
 *
 * @param {Record<string, string>} entryPoints
 * @param {string} outdir
 */
export async function bundleNodeEntries(entryPoints, outdir) {
  await build({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: runtimeExternals(),
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/**
 * Worker-thread entry points the server starts by file name, resolved beside the running
 * bundle; every bundle that runs server code needs them beside it (the benchmark targets too).
 */
export const SERVER_WORKER_ENTRIES = {
  'page-worker': path.join(SERVER, 'src/platform/audit/verify/page-worker.ts'),
};

/**
 * The server command and the audit verifier's worker, into `outdir` (default: the build `npm
 * start` runs). Tests build into their own folder when they must not touch that one.
 *
 * @param {string} [outdir]
 * @returns {Promise<string>} the path of the built `portcullis.mjs`
 */
export async function buildServer(outdir = SERVER_BUILD_DIR) {
  await bundleNodeEntries({ portcullis: path.join(SERVER, 'src/main.ts'), ...SERVER_WORKER_ENTRIES }, outdir);
  return path.join(outdir, 'portcullis.mjs');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildServer();
  process.stderr.write(`built ${path.relative(ROOT, built)}\n`);
}
