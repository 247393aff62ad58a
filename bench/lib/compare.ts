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
 *
 * An HTTP side is measured with autocannon from the runner; a function side measures itself
 * inside its target process. Either way the runner reads the target's CPU time around exactly
 * the measured run, and its RSS when it started, when it was ready and after the run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Benchmark, HttpSide, LoadResult, Side, Variant } from './types.ts';
import type { BenchSettings } from './settings.ts';
import type { FunctionReady, HttpReady, UsageSnapshot } from './protocol.ts';
import { measure, probe, warmUp } from './load.ts';
import { spawnTarget, type TargetHandle } from './spawn-target.ts';

/** The memory budget for the server under test, after the measured run (MiB, as printed). */
export const SERVER_RSS_TARGET_BYTES = 150 * 1024 * 1024;

export interface Sample extends LoadResult {
  readonly variant: Variant;
  readonly round: number;
  /** Target process CPU (user + system) during the measured run, in % of one core. */
  readonly serverCpuPercent: number;
  /**
   * Target CPU time per operation, in µs. Unlike req/s it does not depend on whether the target
   * or the load generator saturated first, so it is the steadier measure of per-request cost.
   */
  readonly serverCpuMicrosPerRequest: number;
  /**
   * CPU time of the target's main thread (its event loop) per operation, in µs; null where the
   * OS does not report it. The rest of the target's CPU ran on the libuv pool and V8's helpers.
   * A server can serve at most 1,000,000 / this many operations per second, however many cores.
   */
  readonly eventLoopCpuMicrosPerRequest: number | null;
  /**
   * Runner (autocannon, plus any per-request signing) CPU during the measured run, in % of one
   * core; near 100% means the load generator, not the target, set the rate. Null for a
   * function side, which has no load generator.
   */
  readonly generatorCpuPercent: number | null;
  /** Target RSS when its process started (Node + the TypeScript loader only). */
  readonly serverRssAtStartBytes: number;
  /** Target RSS once set up, before any load. */
  readonly serverRssAtReadyBytes: number;
  /** Target RSS one second after the measured run (see SETTLE_MS). */
  readonly serverRssBytes: number;
  /** Everything the target wrote to stdout (its logs) over probe, warm-up and measurement. */
  readonly stdoutBytes: number;
}

export interface SideSummary {
  readonly label: string;
  readonly kind: 'http' | 'function';
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuPercent: number;
  readonly serverCpuMicrosPerRequest: number;
  readonly eventLoopCpuMicrosPerRequest: number | null;
  readonly generatorCpuPercent: number | null;
  readonly serverRssAtStartBytes: number;
  readonly serverRssAtReadyBytes: number;
  /** Largest RSS after a measured run over the side's samples. */
  readonly serverRssBytes: number;
  readonly samples: readonly Sample[];
}

export type Verdict = 'PASS' | 'BELOW TARGET';
export type RssVerdict = 'PASS' | 'ABOVE';

export interface BenchmarkResult {
  readonly name: string;
  readonly description: string;
  readonly target: number;
  readonly ratio: number;
  readonly verdict: Verdict;
  /** The candidate's largest RSS after a run against {@link SERVER_RSS_TARGET_BYTES}. */
  readonly rssTargetBytes: number;
  readonly rssVerdict: RssVerdict;
  readonly baseline: SideSummary;
  readonly candidate: SideSummary;
}

export type Progress = (line: string) => void;

type Measured = Omit<Sample, 'variant' | 'round' | 'serverRssAtStartBytes' | 'serverRssAtReadyBytes' | 'stdoutBytes'>;

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

function cpuMicrosOfRunner(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

/**
 * How long after the load stops the target's RSS is read. Requests still in flight when the
 * load generator stops (up to one per connection, e.g. 50 sign-ins queued for Argon2id slots
 * that each hold 19 MiB while they hash) finish first, so the reading is the server's memory
 * after the run, not a snapshot of the last moment of load.
 */
const SETTLE_MS = 1000;

function costOf(
  load: LoadResult,
  before: UsageSnapshot,
  after: UsageSnapshot,
): Pick<Measured, 'serverCpuPercent' | 'serverCpuMicrosPerRequest' | 'eventLoopCpuMicrosPerRequest'> {
  const cpuMicros = after.cpuMicros - before.cpuMicros;
  const mainThread =
    before.mainThreadCpuMicros === null || after.mainThreadCpuMicros === null
      ? null
      : after.mainThreadCpuMicros - before.mainThreadCpuMicros;
  return {
    serverCpuPercent: (cpuMicros / (load.durationSeconds * 1e6)) * 100,
    serverCpuMicrosPerRequest: cpuMicros / load.totalRequests,
    eventLoopCpuMicrosPerRequest: mainThread === null ? null : mainThread / load.totalRequests,
  };
}

async function settledRss(target: TargetHandle): Promise<Pick<Measured, 'serverRssBytes'>> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return { serverRssBytes: (await target.usage()).rssBytes };
}

async function measureHttp(
  target: TargetHandle,
  ready: HttpReady,
  side: HttpSide,
  settings: BenchSettings,
  progress: Progress,
): Promise<Measured> {
  const loadSeconds = settings.warmupSeconds + settings.durationSeconds;
  const workload = await side.workload({ url: ready.url, fixture: ready.fixture, log: progress, loadSeconds });
  await probe(ready.url, workload);
  await warmUp(ready.url, workload, settings);
  const before = await target.usage();
  const runnerBefore = cpuMicrosOfRunner();
  const load = await measure(ready.url, workload, settings);
  const generatorCpuPercent = ((cpuMicrosOfRunner() - runnerBefore) / (load.durationSeconds * 1e6)) * 100;
  const after = await target.usage();
  return { ...load, ...costOf(load, before, after), ...(await settledRss(target)), generatorCpuPercent };
}

async function measureFunction(target: TargetHandle, settings: BenchSettings): Promise<Measured> {
  if (settings.warmupSeconds > 0) await target.run(settings.warmupSeconds);
  const before = await target.usage();
  const load = await target.run(settings.durationSeconds);
  const after = await target.usage();
  return { ...load, ...costOf(load, before, after), ...(await settledRss(target)), generatorCpuPercent: null };
}

function kindMismatch(ready: HttpReady | FunctionReady, side: Side): Error {
  return new Error(`the target reported a ${ready.kind} side, the benchmark declares ${side.kind}`);
}

async function measureSide(target: TargetHandle, side: Side, settings: BenchSettings, progress: Progress): Promise<Measured> {
  const { ready } = target;
  if (side.kind === 'http') {
    if (ready.kind !== 'http') throw kindMismatch(ready, side);
    return measureHttp(target, ready, side, settings, progress);
  }
  if (ready.kind !== 'function') throw kindMismatch(ready, side);
  return measureFunction(target, settings);
}

interface SampleSpec {
  readonly variant: Variant;
  readonly round: number;
  readonly logDir: string;
}

async function takeSample(benchmark: Benchmark, spec: SampleSpec, settings: BenchSettings, progress: Progress): Promise<Sample> {
  const { variant, round, logDir } = spec;
  const target = await spawnTarget(benchmark.name, variant, path.join(logDir, `${variant}-${round + 1}.log`));
  let sample: Sample;
  try {
    const atReady = await target.usage();
    const measured = await measureSide(target, benchmark.sides[variant], settings, progress);
    sample = {
      variant,
      round,
      ...measured,
      serverRssAtStartBytes: target.ready.rssAtStartBytes,
      serverRssAtReadyBytes: atReady.rssBytes,
      stdoutBytes: target.stdoutBytes(),
    };
  } catch (error) {
    // The failure is the story; a target that is going away cannot be stopped cleanly anyway.
    await target.stop().catch(() => undefined);
    throw error;
  }
  await target.stop();
  return sample;
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length > 0 ? median(present) : null;
}

function summarize(benchmark: Benchmark, variant: Variant, samples: readonly Sample[]): SideSummary {
  const side = benchmark.sides[variant];
  const own = samples.filter((s) => s.variant === variant);
  return {
    label: side.label,
    kind: side.kind,
    requestsPerSecond: median(own.map((s) => s.requestsPerSecond)),
    p50Ms: median(own.map((s) => s.p50Ms)),
    p99Ms: median(own.map((s) => s.p99Ms)),
    serverCpuPercent: median(own.map((s) => s.serverCpuPercent)),
    serverCpuMicrosPerRequest: median(own.map((s) => s.serverCpuMicrosPerRequest)),
    eventLoopCpuMicrosPerRequest: medianOrNull(own.map((s) => s.eventLoopCpuMicrosPerRequest)),
    generatorCpuPercent: medianOrNull(own.map((s) => s.generatorCpuPercent)),
    serverRssAtStartBytes: median(own.map((s) => s.serverRssAtStartBytes)),
    serverRssAtReadyBytes: median(own.map((s) => s.serverRssAtReadyBytes)),
    serverRssBytes: Math.max(...own.map((s) => s.serverRssBytes)),
    samples: own,
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function describeSample(sample: Sample): string {
  const rate = Math.round(sample.requestsPerSecond).toLocaleString('en-US');
  const generator = sample.generatorCpuPercent === null ? '' : `  generator CPU ${Math.round(sample.generatorCpuPercent)}%`;
  const loop = sample.eventLoopCpuMicrosPerRequest === null ? '' : `, event loop ${Math.round(sample.eventLoopCpuMicrosPerRequest)}`;
  return (
    `  round ${sample.round + 1} ${sample.variant.padEnd(9)} ${rate.padStart(8)} ops/s  p50 ${sample.p50Ms.toFixed(1)} ms  ` +
    `p99 ${sample.p99Ms.toFixed(1)} ms  target CPU ${Math.round(sample.serverCpuPercent)}% ` +
    `(${Math.round(sample.serverCpuMicrosPerRequest)}${loop} µs/op)${generator}  RSS after run ${megabytes(sample.serverRssBytes)}  ` +
    `stdout ${(sample.stdoutBytes / 1024 / 1024).toFixed(1)} MB` +
    (sample.note === undefined ? '' : `  ${sample.note}`)
  );
}

async function takeAllSamples(benchmark: Benchmark, settings: BenchSettings, progress: Progress): Promise<Sample[]> {
  const logDir = await mkdtemp(path.join(tmpdir(), `bench-${benchmark.name}-`));
  try {
    const samples: Sample[] = [];
    for (const { round, variant } of scheduleFor(settings.rounds)) {
      const sample = await takeSample(benchmark, { variant, round, logDir }, settings, progress);
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
  const baseline = summarize(benchmark, 'baseline', samples);
  const candidate = summarize(benchmark, 'candidate', samples);
  const ratio = candidate.requestsPerSecond / baseline.requestsPerSecond;
  return {
    name: benchmark.name,
    description: benchmark.description,
    target: benchmark.target,
    ratio,
    verdict: ratio >= benchmark.target ? 'PASS' : 'BELOW TARGET',
    rssTargetBytes: SERVER_RSS_TARGET_BYTES,
    rssVerdict: candidate.serverRssBytes <= SERVER_RSS_TARGET_BYTES ? 'PASS' : 'ABOVE',
    baseline,
    candidate,
  };
}
