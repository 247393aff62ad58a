/**
 * @module bench/lib/types
 *
 * The contract between the runner and a benchmark module. A benchmark compares two sides, a
 * candidate and a baseline, and `target` is the lowest acceptable candidate/baseline ratio of
 * operations per second. Each side is one of two kinds:
 *
 * - `http`: the target process starts a server on loopback (`setup`), and the runner drives it
 *   with autocannon using the request its `workload` describes. The workload is built in the
 *   runner, once per sample, from what the target handed over (`fixture`), so a side can sign
 *   in first and then attach a freshly signed header to every request.
 * - `function`: the target process calls an async function itself, `concurrency` calls at a
 *   time, for the measured duration (e.g. raw Argon2id hashes as the ceiling for sign-ins).
 *
 * The runner owns everything else: processes, load, timing, statistics and reporting.
 */

/** The two sides of a comparison; the baseline is measured in the same run as the candidate. */
export type Variant = 'candidate' | 'baseline';

export const VARIANTS: readonly Variant[] = ['baseline', 'candidate'];

/**
 * What a target hands to the runner once it is ready (sent over IPC, so strings only): for
 * example the address and password of an account it created. Never a server secret.
 */
export type Fixture = Readonly<Record<string, string>>;

/** One measured run of either kind. Latencies in milliseconds. */
export interface LoadResult {
  /** Operations (HTTP responses, or completed function calls) per second. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly totalRequests: number;
  readonly durationSeconds: number;
  /** What a function side reports about the run itself (e.g. a cache's hit rate), printed with the sample. */
  readonly note?: string;
}

/** A server listening on loopback, as returned by `HttpSide.setup`. */
export interface ListeningTarget {
  /** Origin such as `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Data for the runner-side workload (accounts, not keys). */
  readonly fixture?: Fixture;
  close(): Promise<void>;
}

/** The single request autocannon repeats against an HTTP side. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly expectedStatus: number;
  /** Exact body the side must return; checked once before each measurement. */
  readonly expectedBody?: string;
}

/** What the runner sends to an HTTP side during one sample. */
export interface HttpWorkload {
  readonly request: RequestSpec;
  /**
   * Called once for every request sent (probe, warm-up and measurement alike); its headers are
   * added to `request.headers`. For per-request credentials such as a DPoP proof with a fresh
   * `jti`. It runs on the load generator's event loop, so its cost is load-generator CPU.
   */
  readonly perRequestHeaders?: () => Readonly<Record<string, string>>;
  /**
   * Called once for every request sent, like `perRequestHeaders`; its result replaces
   * `request.body`. For load spread over several accounts, as many people signing in would be.
   */
  readonly perRequestBody?: () => string;
}

/** What an HTTP side's workload is built from, in the runner. */
export interface WorkloadContext {
  /** The target's origin. */
  readonly url: string;
  /** `ListeningTarget.fixture`, or `{}`. */
  readonly fixture: Fixture;
  /** Progress output of the runner. */
  readonly log: (line: string) => void;
  /** Seconds of load this workload will send: the warm-up plus the measured run. */
  readonly loadSeconds: number;
}

export interface HttpSide {
  readonly kind: 'http';
  /** Human label, e.g. `GET /bench/me (DPoP)`. */
  readonly label: string;
  /**
   * Builds and starts the server on 127.0.0.1; runs inside a dedicated child process whose
   * stdout goes to a file, as a production process's stdout goes to a log collector.
   */
  setup(): Promise<ListeningTarget>;
  /** Runs in the runner, once per sample, after `setup` has finished in the target. */
  workload(context: WorkloadContext): Promise<HttpWorkload>;
}

/** A function the target process calls in a loop, as returned by `FunctionSide.setup`. */
export interface FunctionTarget {
  /** Calls kept in flight at once. */
  readonly concurrency: number;
  /** One operation; a rejection crashes the benchmark. */
  call(): Promise<unknown>;
  /** Called after each run: a one-line account of that run (e.g. cache hits), shown with the sample. */
  note?(): string;
  close(): Promise<void>;
}

export interface FunctionSide {
  readonly kind: 'function';
  readonly label: string;
  /** Runs inside a dedicated child process, like `HttpSide.setup`. */
  setup(): Promise<FunctionTarget>;
}

export type Side = HttpSide | FunctionSide;

export interface Benchmark {
  /** Command-line name, kebab-case. */
  readonly name: string;
  /** One sentence: what the ratio tells you. */
  readonly description: string;
  /** Lowest acceptable candidate/baseline ops/s ratio (PASS at or above). */
  readonly target: number;
  readonly sides: Readonly<Record<Variant, Side>>;
}

/** A workload that sends the same fixed request every time. */
export function fixedWorkload(request: RequestSpec): () => Promise<HttpWorkload> {
  return () => Promise.resolve({ request });
}
