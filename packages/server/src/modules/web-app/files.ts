/**
 * @module modules/web-app/files
 *
 * The built web app, read into memory once at start: a handful of small files, so a request
 * never touches the disk and can only ever be answered with a file that was in the directory
 * then. A request path is looked up as-is in the map (no decoding, no joining with the
 * directory), which is why `..`, `%2e%2e`, absolute paths, backslashes and NUL cannot reach any
 * other file: they are simply not keys. Only regular files with a known type are kept; dotfiles,
 * symbolic links and anything else are skipped.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The types the app's build emits; a file with any other extension is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Bounds on what is read into memory: a wrongly configured `web.dir` must not load a whole disk. */
const MAX_FILES = 500;
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

export interface WebAppFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Under `assets/`: the build names these by content hash, so they never change. */
  readonly immutable: boolean;
  readonly html: boolean;
}

export interface WebAppFiles {
  readonly directory: string;
  /** Keyed by URL path (`/index.html`, `/assets/index-3FA2.js`). */
  readonly files: ReadonlyMap<string, WebAppFile>;
  /** `index.html`, absent when the app is not built. */
  readonly index: WebAppFile | undefined;
}

/**
 * `packages/web/dist` of the checkout this code runs from: found by walking up from this file to
 * `packages/server`, which holds both the sources (`src/…`, tests) and the bundled command
 * (`build/portcullis.mjs`).
 */
export function defaultWebAppDirectory(moduleUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const parent = path.dirname(dir);
    if (path.basename(dir) === 'server' && path.basename(parent) === 'packages') return path.join(parent, 'web', 'dist');
    if (parent === dir) return path.resolve('packages', 'web', 'dist');
    dir = parent;
  }
}

function contentTypeOf(name: string): string | undefined {
  return CONTENT_TYPES[path.extname(name).toLowerCase()];
}

/** Reads every servable file under `directory`; a missing directory yields no files. */
export function loadWebAppFiles(directory: string): WebAppFiles {
  const files = new Map<string, WebAppFile>();
  let total = 0;
  const visit = (dir: string, urlPrefix: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const stat = lstatSync(full);
      const urlPath = `${urlPrefix}/${name}`;
      if (stat.isDirectory()) {
        visit(full, urlPath);
        continue;
      }
      const contentType = contentTypeOf(name);
      if (!stat.isFile() || contentType === undefined) continue;
      total += stat.size;
      if (files.size >= MAX_FILES || total > MAX_TOTAL_BYTES) {
        throw new TypeError(`web.dir ${directory} holds more than ${MAX_FILES} files or ${MAX_TOTAL_BYTES} bytes: is it the built app?`);
      }
      files.set(urlPath, {
        body: readFileSync(full),
        contentType,
        immutable: urlPath.startsWith('/assets/'),
        html: contentType.startsWith('text/html'),
      });
    }
  };
  visit(directory, '');
  return { directory, files, index: files.get('/index.html') };
}
