#!/usr/bin/env node
/**
 * `npm run screenshots`: pictures of the clinic app's main pages for the documentation. Runs the
 * screenshot journey (Chromium against the seeded demo) with `SCREENSHOTS_DIR` pointing at
 * docs/screenshots, where it writes one PNG per page at 1,280 × 800. Without that variable the
 * same journey writes to a temporary directory, which is how the test suite runs it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JOURNEY = 'packages/server/src/web-journeys/screenshots.browser.test.ts';

const run = spawnSync('npx', ['vitest', 'run', JOURNEY], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, SCREENSHOTS_DIR: path.join(ROOT, 'docs/screenshots') },
});
process.exit(run.status ?? 1);
