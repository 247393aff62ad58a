/**
 * @module bench/lib/types
 *
 * The contract between the runner and a benchmark module. A benchmark names a candidate and
 * a baseline, says which request to send and which answer to expect, and builds either side
 * on demand with `setup(variant)`; the runner owns everything else (processes, load, timing,
 * statistics, reporting). `target` is the lowest acceptable candidate/baseline req/s ratio.
 */

/** The two sides of a comparison; the baseline is measured in the same run as the candidate. */
export type Variant = 'candidate' | 'baseline';

export const VARIANTS: readonly Variant[] = ['baseline', 'candidate'];

/** A server listening on loopback, as returned by `Benchmark.setup`. */
export interface ListeningTarget {
  /** Origin such as `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The single request autocannon repeats against both sides. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly expectedStatus: number;
  /** Exact body both sides must return; checked once before each measurement. */
  readonly expectedBody?: string;
}

export interface Benchmark {
  /** Command-line name, kebab-case. */
  readonly name: string;
  /** One sentence: what the ratio tells you. */
  readonly description: string;
  /** Human labels of the two sides. */
  readonly labels: Readonly<Record<Variant, string>>;
  /** Lowest acceptable candidate/baseline req/s ratio (PASS at or above). */
  readonly target: number;
  readonly request: RequestSpec;
  /**
   * Builds and starts one side on 127.0.0.1; runs inside a dedicated child process whose
   * stdout goes to a file, as a production process's stdout goes to a log collector.
   */
  setup(variant: Variant): Promise<ListeningTarget>;
}
