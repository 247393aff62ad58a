/**
 * @module bench/lib/function-load
 *
 * Drives a function side inside its own target process: `concurrency` loops, each awaiting one
 * call after the other until the time is up, so exactly `concurrency` calls are in flight the
 * whole time, as with a server whose limiter is always full. The rate counts every completed
 * call over the time until the last one finished (calls started before the deadline may end
 * after it), the same way the HTTP side's rate is total responses over autocannon's duration.
 */
import { performance } from 'node:perf_hooks';
import { createLatencyHistogram, type LatencyHistogram } from './histogram.ts';
import type { FunctionTarget, LoadResult } from './types.ts';

async function loop(target: FunctionTarget, deadline: number, histogram: LatencyHistogram): Promise<void> {
  while (performance.now() < deadline) {
    const started = performance.now();
    await target.call();
    histogram.record(performance.now() - started);
  }
}

/** Calls `target` for `seconds`; a failing call rejects the whole run. */
export async function runFunction(target: FunctionTarget, seconds: number): Promise<LoadResult> {
  const histogram = createLatencyHistogram();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: target.concurrency }, () => loop(target, deadline, histogram)));
  const durationSeconds = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: histogram.count / durationSeconds,
    p50Ms: histogram.percentile(50),
    p99Ms: histogram.percentile(99),
    totalRequests: histogram.count,
    durationSeconds,
  };
}
