/**
 * @module bench/lib/compare
 *
 * Runs one benchmark: samples baseline and candidate alternately, never concurrently, and
 * reduces each side to the median of its samples. Why this schedule: on a 2-core machine the
 * target gets one core and autocannon the other, and any background work, CPU boost or thermal
 * drift shifts whole stretches of the run. Alternating the order every round (B C, C B, B C …)
 * spreads such drift over both sides instead of charging it to whichever ran second, and the
 * median of ≥ 3 samples ignores one disturbed sample in either direction, where "best of"
 * would reward a lucky one. Each sample uses a fresh process with its own warm-up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Benchmark, Variant } from './types.ts';
import type { BenchSettings } from './settings.ts';
import { measure, probe, warmUp, type LoadResult } from './load.ts';
import { spawnTarget, type TargetHandle } from './spawn-target.ts';

export interface Sample extends LoadResult {
  readonly variant: Variant;
  readonly round: number;
  /** Target process CPU (user + system) during the measured run, in % of one core. */
  readonly serverCpuPercent: number;
  /**
   * Target CPU time per request, in µs. Unlike req/s it does not depend on whether the target
   * or the load generator saturated first, so it is the steadier measure of per-request cost.
   */
  readonly serverCpuMicrosPerRequest: number;
  readonly serverRssBytes: number;
  /** Everything the target wrote to stdout (its logs) over probe, warm-up and measurement. */
  readonly stdoutBytes: number;
}

export interface SideSummary {
  readonly label: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuPercent: number;
  readonly serverCpuMicrosPerRequest: number;
  readonly serverRssBytes: number;
  readonly samples: readonly Sample[];
}

export type Verdict = 'PASS' | 'BELOW TARGET';

export interface BenchmarkResult {
  readonly name: string;
  readonly description: string;
  readonly target: number;
  readonly ratio: number;
  readonly verdict: Verdict;
  readonly baseline: SideSummary;
  readonly candidate: SideSummary;
}

export type Progress = (line: string) => void;

/** Round 0 runs the baseline first, round 1 the candidate first, and so on. */
export function scheduleFor(rounds: number): { round: number; variant: Variant }[] {
  return Array.from({ length: rounds }, (_, round) => {
    const order: Variant[] = round % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    return order.map((variant) => ({ round, variant }));
  }).flat();
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

async function measureTarget(
  target: TargetHandle,
  benchmark: Benchmark,
  settings: BenchSettings,
): Promise<Omit<Sample, 'variant' | 'round'>> {
  await probe(target.url, benchmark.request);
  await warmUp(target.url, benchmark.request, settings);
  const before = await target.usage();
  const load = await measure(target.url, benchmark.request, settings);
  const after = await target.usage();
  const cpuMicros = after.cpuMicros - before.cpuMicros;
  const serverCpuPercent = (cpuMicros / (load.durationSeconds * 1e6)) * 100;
  const serverCpuMicrosPerRequest = cpuMicros / load.totalRequests;
  return { ...load, serverCpuPercent, serverCpuMicrosPerRequest, serverRssBytes: after.rssBytes, stdoutBytes: target.stdoutBytes() };
}

interface SampleSpec {
  readonly variant: Variant;
  readonly round: number;
  readonly logDir: string;
}

async function takeSample(benchmark: Benchmark, { variant, round, logDir }: SampleSpec, settings: BenchSettings): Promise<Sample> {
  const target = await spawnTarget(benchmark.name, variant, path.join(logDir, `${variant}-${round + 1}.log`));
  try {
    return { variant, round, ...(await measureTarget(target, benchmark, settings)) };
  } finally {
    await target.stop();
  }
}

function summarize(label: string, samples: readonly Sample[]): SideSummary {
  return {
    label,
    requestsPerSecond: median(samples.map((s) => s.requestsPerSecond)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    serverCpuPercent: median(samples.map((s) => s.serverCpuPercent)),
    serverCpuMicrosPerRequest: median(samples.map((s) => s.serverCpuMicrosPerRequest)),
    serverRssBytes: Math.max(...samples.map((s) => s.serverRssBytes)),
    samples,
  };
}

function describeSample(sample: Sample): string {
  const rps = Math.round(sample.requestsPerSecond).toLocaleString('en-US');
  return `  round ${sample.round + 1} ${sample.variant.padEnd(9)} ${rps.padStart(8)} req/s  p50 ${sample.p50Ms} ms  p99 ${sample.p99Ms} ms  server CPU ${Math.round(sample.serverCpuPercent)}% (${Math.round(sample.serverCpuMicrosPerRequest)} µs/req)  stdout ${(sample.stdoutBytes / 1024 / 1024).toFixed(1)} MB`;
}

async function takeAllSamples(benchmark: Benchmark, settings: BenchSettings, progress: Progress): Promise<Sample[]> {
  const logDir = await mkdtemp(path.join(tmpdir(), `bench-${benchmark.name}-`));
  try {
    const samples: Sample[] = [];
    for (const { round, variant } of scheduleFor(settings.rounds)) {
      const sample = await takeSample(benchmark, { variant, round, logDir }, settings);
      progress(describeSample(sample));
      samples.push(sample);
    }
    return samples;
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}

export async function runBenchmark(benchmark: Benchmark, settings: BenchSettings, progress: Progress): Promise<BenchmarkResult> {
  const samples = await takeAllSamples(benchmark, settings, progress);
  const baseline = summarize(
    benchmark.labels.baseline,
    samples.filter((s) => s.variant === 'baseline'),
  );
  const candidate = summarize(
    benchmark.labels.candidate,
    samples.filter((s) => s.variant === 'candidate'),
  );
  const ratio = candidate.requestsPerSecond / baseline.requestsPerSecond;
  const verdict: Verdict = ratio >= benchmark.target ? 'PASS' : 'BELOW TARGET';
  return { name: benchmark.name, description: benchmark.description, target: benchmark.target, ratio, verdict, baseline, candidate };
}
