/**
 * @module bench/lib/load
 *
 * Drives one HTTP target with autocannon: a correctness probe (status and exact body), a
 * warm-up whose numbers are thrown away (JIT, connection set-up, caches), then the measured
 * run. A workload with per-request headers (a DPoP proof with a fresh `jti`) or bodies (the next
 * account's sign-in) gets them through autocannon's `setupRequest` hook, which rebuilds the
 * request before every send. A
 * measurement with connection errors, timeouts, unexpected statuses or no response at all is
 * rejected rather than reported, because its req/s would describe failures, not the server.
 */
import autocannon from 'autocannon';
import type { BenchSettings } from './settings.ts';
import type { HttpWorkload, LoadResult, RequestSpec } from './types.ts';

function headersFor(workload: HttpWorkload): Record<string, string> {
  return { ...workload.request.headers, ...workload.perRequestHeaders?.() };
}

function bodyFor(workload: HttpWorkload): string | undefined {
  return workload.perRequestBody?.() ?? workload.request.body;
}

function requestInit(workload: HttpWorkload): RequestInit {
  const body = bodyFor(workload);
  return { method: workload.request.method, headers: headersFor(workload), ...(body !== undefined ? { body } : {}) };
}

/** One request with fetch: the target must answer exactly as the workload declares. */
export async function probe(url: string, workload: HttpWorkload): Promise<void> {
  const spec = workload.request;
  const response = await fetch(url + spec.path, { ...requestInit(workload), signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== spec.expectedStatus) {
    throw new Error(`${url}${spec.path} answered ${response.status}, expected ${spec.expectedStatus}: ${body.slice(0, 300)}`);
  }
  if (spec.expectedBody !== undefined && body !== spec.expectedBody) {
    throw new Error(`${url}${spec.path} answered ${JSON.stringify(body.slice(0, 300))}, expected ${JSON.stringify(spec.expectedBody)}`);
  }
}

/** autocannon's request, with a hook that adds fresh headers (and a body) to every request it builds. */
function cannonRequest(workload: HttpWorkload): autocannon.Request {
  const { request, perRequestHeaders, perRequestBody } = workload;
  const fresh = (built: autocannon.Request): autocannon.Request => ({
    ...built,
    ...(perRequestHeaders ? { headers: { ...built.headers, ...perRequestHeaders() } } : {}),
    ...(perRequestBody ? { body: perRequestBody() } : {}),
  });
  return {
    method: request.method,
    path: request.path,
    ...(request.headers ? { headers: { ...request.headers } } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(perRequestHeaders || perRequestBody ? { setupRequest: fresh } : {}),
  };
}

function cannon(url: string, workload: HttpWorkload, settings: BenchSettings, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    requests: [cannonRequest(workload)],
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: seconds,
    timeout: 10,
  });
}

function statusCounts(result: autocannon.Result): string {
  const entries = Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => `${status}: ${count}`);
  return entries.length > 0 ? entries.join(', ') : 'none';
}

function checkClean(result: autocannon.Result, spec: RequestSpec): void {
  const expected = result.statusCodeStats?.[`${spec.expectedStatus}`]?.count ?? 0;
  const total = result.requests.total;
  // No answer at all is no measurement either: a server that hangs would otherwise pass as clean.
  if (result.errors > 0 || result.timeouts > 0 || total === 0 || expected !== total) {
    throw new Error(
      `unclean run against ${result.url}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${expected} of ${total} responses with status ${spec.expectedStatus} (statuses seen: ${statusCounts(result)})`,
    );
  }
}

export async function warmUp(url: string, workload: HttpWorkload, settings: BenchSettings): Promise<void> {
  if (settings.warmupSeconds > 0) await cannon(url, workload, settings, settings.warmupSeconds);
}

export async function measure(url: string, workload: HttpWorkload, settings: BenchSettings): Promise<LoadResult> {
  const result = await cannon(url, workload, settings, settings.durationSeconds);
  checkClean(result, workload.request);
  return {
    // requests.average is the mean of per-second counts; total/duration also counts the last partial second.
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    totalRequests: result.requests.total,
    durationSeconds: result.duration,
  };
}
