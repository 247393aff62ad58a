/**
 * @module bench/lib/report
 *
 * Everything the runner prints or writes: the machine description, one table per benchmark
 * (median ops/s, p50/p99 latency, target and load-generator CPU, the target's RSS at start,
 * when ready and after the run, the ratio and its verdict, the RSS verdict), and the JSON file under `bench/results/` that keeps every sample for later
 * comparison. Formatting only; no measuring happens here.
 */
import { execFileSync } from 'node:child_process';
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

/** Which code was measured: other engineers edit `packages/` while benchmarks run. */
export interface Source {
  /** `git rev-parse HEAD`, or `unknown` outside a work tree. */
  readonly commit: string;
  /** Files under `packages/` that differ from that commit (modified or untracked). */
  readonly uncommittedPackageFiles: number;
}

export interface FailedBenchmark {
  readonly name: string;
  readonly error: string;
}

export interface RunReport {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly source: Source;
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

function git(args: readonly string[]): string {
  return execFileSync('git', [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
}

export function describeSource(): Source {
  try {
    const changed = git(['status', '--porcelain', '--', 'packages']);
    return { commit: git(['rev-parse', 'HEAD']), uncommittedPackageFiles: changed === '' ? 0 : changed.split('\n').length };
  } catch {
    return { commit: 'unknown', uncommittedPackageFiles: 0 };
  }
}

export function formatSource(source: Source): string {
  return `source: commit ${source.commit.slice(0, 12)}, ${source.uncommittedPackageFiles} uncommitted file(s) under packages/`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** autocannon reports whole milliseconds on loopback, function sides fractions; two decimals at most. */
function formatMs(value: number): string {
  return String(Number(value.toFixed(2)));
}

function percent(value: number | null): string {
  return value === null ? '-' : `${Math.round(value)}%`;
}

const COLUMNS = [
  { title: 'side', width: -10 },
  { title: 'target', width: -26 },
  { title: 'ops/s', width: 9 },
  { title: 'p50 ms', width: 8 },
  { title: 'p99 ms', width: 8 },
  { title: 'target CPU', width: 11 },
  { title: 'CPU µs/op', width: 10 },
  { title: 'loop µs/op', width: 11 },
  { title: 'gen CPU', width: 8 },
  { title: 'RSS start', width: 10 },
  { title: 'RSS ready', width: 10 },
  { title: 'RSS after', width: 10 },
] as const;

/** Pads each cell to its column: negative widths align left. */
function row(cells: readonly string[]): string {
  return cells
    .map((cell, index) => {
      const width = COLUMNS[index]?.width ?? 0;
      return width < 0 ? cell.padEnd(-width) : cell.padStart(width);
    })
    .join(' ');
}

function sideRow(role: string, side: SideSummary): string {
  return row([
    role,
    side.label,
    formatRate(side.requestsPerSecond),
    formatMs(side.p50Ms),
    formatMs(side.p99Ms),
    percent(side.serverCpuPercent),
    String(Math.round(side.serverCpuMicrosPerRequest)),
    side.eventLoopCpuMicrosPerRequest === null ? '-' : String(Math.round(side.eventLoopCpuMicrosPerRequest)),
    percent(side.generatorCpuPercent),
    megabytes(side.serverRssAtStartBytes),
    megabytes(side.serverRssAtReadyBytes),
    megabytes(side.serverRssBytes),
  ]);
}

export function formatMachine(machine: Machine): string {
  return `machine: ${machine.cpuModel}, ${machine.cores} cores, ${megabytes(machine.totalMemoryBytes)} RAM, node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage1m.toFixed(2)} at start`;
}

export function formatSettings(settings: BenchSettings): string {
  return `load: ${settings.connections} connections, pipelining ${settings.pipelining}, warm-up ${settings.warmupSeconds} s + ${settings.durationSeconds} s measured, ${settings.rounds} rounds per side (median reported), audit log of ${formatRate(settings.auditLogEntries)} entries`;
}

export function formatResult(result: BenchmarkResult): string {
  const costRatio = result.candidate.serverCpuMicrosPerRequest / result.baseline.serverCpuMicrosPerRequest;
  return [
    `${result.name}: ${result.description}`,
    `  ${row(COLUMNS.map((column) => column.title))}`,
    `  ${sideRow('baseline', result.baseline)}`,
    `  ${sideRow('candidate', result.candidate)}`,
    `  ratio candidate/baseline ops/s: ${result.ratio.toFixed(3)} (target >= ${result.target.toFixed(2)}) ${result.verdict}`,
    `  target CPU per op candidate/baseline: ${costRatio.toFixed(2)}x`,
    `  candidate (server under test) RSS after run: ${megabytes(result.candidate.serverRssBytes)} ` +
      `(target <= ${megabytes(result.rssTargetBytes)}) ${result.rssVerdict}`,
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
