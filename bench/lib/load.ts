/**
 * @module bench/lib/load
 *
 * Drives one target with autocannon: a correctness probe (status and exact body), a warm-up
 * whose numbers are thrown away (JIT, connection set-up, caches), then the measured run. A
 * measurement with connection errors, timeouts or unexpected statuses is rejected rather than
 * reported, because its req/s would describe failures, not the server.
 */
import autocannon from 'autocannon';
import type { BenchSettings } from './settings.ts';
import type { RequestSpec } from './types.ts';

/** What one measured run produced. Latencies in milliseconds. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly totalRequests: number;
  readonly durationSeconds: number;
}

function requestInit(spec: RequestSpec): RequestInit {
  return {
    method: spec.method,
    ...(spec.headers ? { headers: { ...spec.headers } } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  };
}

/** One request with fetch: the target must answer exactly as the benchmark declares. */
export async function probe(url: string, spec: RequestSpec): Promise<void> {
  const response = await fetch(url + spec.path, { ...requestInit(spec), signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== spec.expectedStatus) {
    throw new Error(`${url}${spec.path} answered ${response.status}, expected ${spec.expectedStatus}: ${body.slice(0, 300)}`);
  }
  if (spec.expectedBody !== undefined && body !== spec.expectedBody) {
    throw new Error(`${url}${spec.path} answered ${JSON.stringify(body.slice(0, 300))}, expected ${JSON.stringify(spec.expectedBody)}`);
  }
}

function cannon(url: string, spec: RequestSpec, settings: BenchSettings, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: url + spec.path,
    method: spec.method,
    ...(spec.headers ? { headers: { ...spec.headers } } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: seconds,
    timeout: 10,
  });
}

function checkClean(result: autocannon.Result, spec: RequestSpec): void {
  const expected = result.statusCodeStats?.[`${spec.expectedStatus}`]?.count ?? 0;
  const total = result.requests.total;
  if (result.errors > 0 || result.timeouts > 0 || expected !== total) {
    throw new Error(
      `unclean run against ${result.url}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${expected} of ${total} responses with status ${spec.expectedStatus}`,
    );
  }
}

export async function warmUp(url: string, spec: RequestSpec, settings: BenchSettings): Promise<void> {
  if (settings.warmupSeconds > 0) await cannon(url, spec, settings, settings.warmupSeconds);
}

export async function measure(url: string, spec: RequestSpec, settings: BenchSettings): Promise<LoadResult> {
  const result = await cannon(url, spec, settings, settings.durationSeconds);
  checkClean(result, spec);
  return {
    // requests.average is the mean of per-second counts; total/duration also counts the last partial second.
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    totalRequests: result.requests.total,
    durationSeconds: result.duration,
  };
}
