#!/usr/bin/env node
/**
 * `npm test`: runs the whole Vitest suite (SQLite and PostgreSQL variants) and closes with the
 * plain summary line CI reads: `N passed, N failed, N skipped`. Extra arguments are passed to
 * Vitest (`npm test -- packages/server/src/config`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const RESULTS = '.test-results/results.json';
rmSync(RESULTS, { force: true });
const run = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });

let summary;
try {
  const results = JSON.parse(readFileSync(RESULTS, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  // A file that failed without a failed test (it did not load, or a hook or suite set-up threw)
  // counts as a failure even though no test reports one.
  const brokenFiles = results.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  summary = `${results.numPassedTests} passed, ${results.numFailedTests + brokenFiles} failed, ${skipped} skipped`;
} catch {
  summary = `0 passed, 1 failed, 0 skipped`;
  console.error('test results could not be read: the test run did not complete');
}
console.log(summary);
process.exit(run.status === 0 ? 0 : 1);
