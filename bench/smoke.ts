/**
 * @module bench/smoke
 *
 * `npm run bench:smoke`: what CI runs so that a change which breaks a benchmark fails the build.
 * Every registered benchmark runs once at the smallest useful size (one round of 1 s, the audit
 * log at 10,000 entries, key rotation over 200 data keys), then the credential-stuffing simulation (`run.ts stuffing`) at 5% of its size,
 * then the web app's paint benchmark (`run.ts web-paint`) for 2 rounds, which fails in CI when
 * Chromium is missing (and skips loudly elsewhere). No warm-up:
 * the sign-ins a warm-up leaves queued behind the 4 hash slots can fill a whole second on a
 * busy machine, and a measured second without a single answer is rejected as unclean. Ratios and budgets are not judged, since a shared CI machine cannot measure them; a
 * benchmark that crashes, or whose server answers anything but the expected status, fails (the
 * runner rejects such a run), and so does a simulation that crashes, gets an unexpected answer or
 * misses one of its goals (no account compromised, legitimate sign-ins succeeding and rarely asked
 * for more).
 * The list is the registry itself, and the runner refuses to start when a module in
 * `bench/benchmarks/` exports a benchmark the registry lacks, so nothing can be left out.
 * Connections stay at their default: sharing one load generator between 50 connections is
 * what broke the sign-in benchmark once.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SMOKE_SETTINGS = {
  BENCH_DURATION: '1',
  BENCH_WARMUP: '0',
  BENCH_ROUNDS: '1',
  BENCH_AUDIT_ENTRIES: '10000',
  STUFFING_SCALE: '0.05',
  BENCH_REWRAP_KEYS: '200',
  WEB_PAINT_ROUNDS: '2',
} as const;

const STEPS = [
  { title: 'every benchmark, smoke size', args: [] },
  { title: 'credential-stuffing simulation, smoke size', args: ['stuffing'] },
  { title: 'web app paint in Chromium, smoke size', args: ['web-paint'] },
] as const;

/** Runs the bench runner with the same Node and TypeScript loader as this one; resolves with its exit code. */
function runBench(args: readonly string[]): Promise<number> {
  const file = fileURLToPath(new URL('./run.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, file, ...args], {
    env: { ...process.env, ...SMOKE_SETTINGS },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const failed: string[] = [];
  for (const step of STEPS) {
    process.stdout.write(`\n━━ ${step.title}\n`);
    const started = Date.now();
    const code = await runBench(step.args);
    process.stdout.write(
      `━━ ${step.title}: ${code === 0 ? 'ok' : `FAILED (exit code ${code})`} in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
    if (code !== 0) failed.push(step.title);
  }
  if (failed.length > 0) process.stderr.write(`bench:smoke failed: ${failed.join('; ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:smoke: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
