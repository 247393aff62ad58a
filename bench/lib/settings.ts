/**
 * @module bench/lib/settings
 *
 * Load-generation settings, read once from the environment so a quick local run
 * (`BENCH_DURATION=3 npm run bench`), the CI smoke run (`npm run bench:smoke`) and the
 * documented run use the same code. Every value is bounded: a typo cannot start an hour-long
 * run or a thousand connections. Target processes inherit the environment and read the same
 * values (e.g. the audit log's size, or how many accounts a sign-in target creates).
 */

export interface BenchSettings {
  /** Seconds of load whose results are discarded, before every measurement. */
  readonly warmupSeconds: number;
  /** Seconds of measured load per sample. */
  readonly durationSeconds: number;
  readonly connections: number;
  readonly pipelining: number;
  /** Samples per side; the median sample is reported. */
  readonly rounds: number;
  /** Entries in the audit log that `audit-verify` and `audit-proof` read (built once, then kept). */
  readonly auditLogEntries: number;
}

interface Bounds {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

function readInteger(env: NodeJS.ProcessEnv, name: string, bounds: Bounds): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return bounds.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new RangeError(`${name} must be an integer from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv): BenchSettings {
  return {
    warmupSeconds: readInteger(env, 'BENCH_WARMUP', { fallback: 2, min: 0, max: 60 }),
    durationSeconds: readInteger(env, 'BENCH_DURATION', { fallback: 10, min: 1, max: 120 }),
    connections: readInteger(env, 'BENCH_CONNECTIONS', { fallback: 50, min: 1, max: 500 }),
    pipelining: readInteger(env, 'BENCH_PIPELINING', { fallback: 1, min: 1, max: 16 }),
    rounds: readInteger(env, 'BENCH_ROUNDS', { fallback: 3, min: 1, max: 9 }),
    auditLogEntries: readInteger(env, 'BENCH_AUDIT_ENTRIES', { fallback: 1_000_000, min: 1_000, max: 10_000_000 }),
  };
}
