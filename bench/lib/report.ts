/**
 * @module bench/lib/report
 *
 * Everything the runner prints or writes: the machine description, one table per benchmark
 * (median req/s, p50/p99 latency, server CPU and RSS of both sides, the ratio and the
 * verdict), and the JSON file under `bench/results/` that keeps every sample for later
 * comparison. Formatting only; no measuring happens here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchmarkResult, SideSummary } from './compare.ts';
import type { BenchSettings } from './settings.ts';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryBytes: number;
  /** 1-minute load average when the run started: other work on the machine skews results. */
  readonly loadAverage1m: number;
}

export interface FailedBenchmark {
  readonly name: string;
  readonly error: string;
}

export interface RunReport {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly settings: BenchSettings;
  readonly results: readonly BenchmarkResult[];
  readonly failures: readonly FailedBenchmark[];
  /** RSS of the runner (autocannon's process) after all benchmarks. */
  readonly runnerRssBytes: number;
  /** 1-minute load average when the run ended. */
  readonly loadAverageAtEnd1m: number;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryBytes: os.totalmem(),
    loadAverage1m: os.loadavg()[0] ?? 0,
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** autocannon reports whole milliseconds on loopback; medians of even counts can be halves. */
function formatMs(value: number): string {
  return String(Number(value.toFixed(2)));
}

function sideRow(role: string, side: SideSummary): string {
  return [
    role.padEnd(10),
    side.label.padEnd(24),
    formatRate(side.requestsPerSecond).padStart(9),
    formatMs(side.p50Ms).padStart(8),
    formatMs(side.p99Ms).padStart(8),
    `${Math.round(side.serverCpuPercent)}%`.padStart(11),
    String(Math.round(side.serverCpuMicrosPerRequest)).padStart(11),
    megabytes(side.serverRssBytes).padStart(11),
  ].join(' ');
}

export function formatMachine(machine: Machine): string {
  return `machine: ${machine.cpuModel}, ${machine.cores} cores, ${megabytes(machine.totalMemoryBytes)} RAM, node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage1m.toFixed(2)} at start`;
}

export function formatSettings(settings: BenchSettings): string {
  return `load: ${settings.connections} connections, pipelining ${settings.pipelining}, warm-up ${settings.warmupSeconds} s + ${settings.durationSeconds} s measured, ${settings.rounds} rounds per side (median reported)`;
}

export function formatResult(result: BenchmarkResult): string {
  const header = [
    'side'.padEnd(10),
    'target'.padEnd(24),
    'req/s'.padStart(9),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'server CPU'.padStart(11),
    'CPU µs/req'.padStart(11),
    'server RSS'.padStart(11),
  ].join(' ');
  const costRatio = result.candidate.serverCpuMicrosPerRequest / result.baseline.serverCpuMicrosPerRequest;
  return [
    `${result.name}: ${result.description}`,
    `  ${header}`,
    `  ${sideRow('baseline', result.baseline)}`,
    `  ${sideRow('candidate', result.candidate)}`,
    `  ratio candidate/baseline req/s: ${result.ratio.toFixed(3)} (target >= ${result.target.toFixed(2)}) ${result.verdict}`,
    `  server CPU per request candidate/baseline: ${costRatio.toFixed(2)}x`,
  ].join('\n');
}

export function formatFooter(report: RunReport): string {
  const failed = report.failures.map((f) => `FAILED ${f.name}: ${f.error}`);
  return [
    ...failed,
    `runner RSS after run: ${megabytes(report.runnerRssBytes)}; load average at end ${report.loadAverageAtEnd1m.toFixed(2)}`,
    formatMachine(report.machine),
  ].join('\n');
}

/** Writes the report as `bench/results/<timestamp>.json` and returns the path. */
export async function writeReport(report: RunReport): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${report.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
