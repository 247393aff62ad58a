/**
 * @module bench/run
 *
 * `npm run bench [-- <name> …]`: runs every registered benchmark, or only those named, one
 * after the other, prints a table per benchmark and writes all samples to
 * `bench/results/<timestamp>.json`. Benchmarks are informative: a ratio below target prints
 * BELOW TARGET but exits 0; only a benchmark that crashes (or an unknown name) fails the run.
 * `--list` prints the available names. Settings come from BENCH_* variables (settings.ts). A
 * benchmark module whose benchmark is not in the registry fails every run (registry-check.ts).
 *
 * `npm run bench -- stuffing` runs the credential-stuffing simulation instead, alone: it is no
 * candidate/baseline comparison, it has goals, and it exits non-zero when one is missed
 * (simulations/credential-stuffing.ts; `STUFFING_SCALE` sets its size). `npm run bench -- web-paint`
 * likewise runs alone: the web app's paint times in Chromium against a seeded development server
 * (simulations/web-paint.ts; `WEB_PAINT_ROUNDS` sets its rounds).
 */
import { benchmarks, benchmarkByName } from './benchmarks/index.ts';
import { runBenchmark, type BenchmarkResult } from './lib/compare.ts';
import { unregisteredBenchmarks } from './lib/registry-check.ts';
import { readSettings, type BenchSettings } from './lib/settings.ts';
import os from 'node:os';
import {
  describeMachine,
  describeSource,
  formatFooter,
  formatMachine,
  formatResult,
  formatSettings,
  formatSource,
  writeReport,
  type FailedBenchmark,
} from './lib/report.ts';
import type { Benchmark } from './lib/types.ts';
import { runStuffingSimulation } from './simulations/credential-stuffing.ts';
import { runWebPaint } from './simulations/web-paint.ts';

/** The simulation's name on the command line; never a benchmark's. */
const STUFFING = 'stuffing';
/** The web app's paint benchmark; never a registered benchmark's name either. */
const WEB_PAINT = 'web-paint';

/** Named runs that are no candidate/baseline comparison: each runs alone and sets its own exit code. */
const ALONE: Record<
  string,
  { readonly help: string; readonly run: (env: NodeJS.ProcessEnv, log: (line: string) => void) => Promise<number> }
> = {
  [STUFFING]: {
    help: 'the credential-stuffing simulation (runs only when named, alone; STUFFING_SCALE sets its size)',
    run: runStuffingSimulation,
  },
  [WEB_PAINT]: {
    help: "first paint of the web app's patient home in Chromium (runs only when named, alone; WEB_PAINT_ROUNDS sets its rounds)",
    run: runWebPaint,
  },
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function selectBenchmarks(names: readonly string[]): readonly Benchmark[] {
  return names.length === 0 ? benchmarks : names.map(benchmarkByName);
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function runAll(
  selected: readonly Benchmark[],
  settings: BenchSettings,
): Promise<{ results: BenchmarkResult[]; failures: FailedBenchmark[] }> {
  const results: BenchmarkResult[] = [];
  const failures: FailedBenchmark[] = [];
  for (const benchmark of selected) {
    log(`\n▶ ${benchmark.name}: ${benchmark.sides.candidate.label} vs ${benchmark.sides.baseline.label}`);
    try {
      const result = await runBenchmark(benchmark, settings, log);
      results.push(result);
      log(`\n${formatResult(result)}`);
    } catch (error) {
      failures.push({ name: benchmark.name, error: errorText(error) });
      log(`✗ ${benchmark.name} crashed:\n${errorText(error)}`);
    }
  }
  return { results, failures };
}

async function main(argv: readonly string[]): Promise<number> {
  const unregistered = await unregisteredBenchmarks(benchmarks);
  if (unregistered.length > 0) {
    throw new Error(`benchmarks missing from bench/benchmarks/index.ts (they would never run): ${unregistered.join(', ')}`);
  }
  if (argv.includes('--list')) {
    for (const benchmark of benchmarks) log(`${benchmark.name}\t${benchmark.description}`);
    for (const [name, { help }] of Object.entries(ALONE)) log(`${name}\t${help}`);
    return 0;
  }
  const alone = argv.find((name) => Object.hasOwn(ALONE, name));
  if (alone !== undefined) {
    if (argv.length > 1) throw new Error(`"${alone}" runs alone: npm run bench -- ${alone}`);
    return (ALONE[alone] as (typeof ALONE)[string]).run(process.env, log);
  }
  const selected = selectBenchmarks(argv);
  const settings = readSettings(process.env);
  const machine = describeMachine();
  const source = describeSource();
  const date = new Date().toISOString();
  log(formatMachine(machine));
  log(formatSource(source));
  log(formatSettings(settings));
  const { results, failures } = await runAll(selected, settings);
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  const report = {
    date,
    command,
    machine,
    source,
    settings,
    results,
    failures,
    runnerRssBytes: process.memoryUsage.rss(),
    loadAverageAtEnd1m: os.loadavg()[0] ?? 0,
  };
  const file = await writeReport(report);
  log(`\n${formatFooter(report)}\nresults: ${file}`);
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Usage errors (unknown name, bad BENCH_* value): the message is the whole story.
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
