/**
 * @module bench/benchmarks
 *
 * The registry of benchmarks, in the order `npm run bench` runs them. Adding one is a module
 * in this folder exporting a `Benchmark` and one line in the list below; the runner and the
 * target processes both look benchmarks up here by name.
 */
import type { Benchmark } from '../lib/types.ts';
import { dpopAuth } from './dpop-auth.ts';
import { platformOverhead } from './platform-overhead.ts';
import { signInBenchmark } from './sign-in.ts';
import { auditLogBenchmarks } from './audit-log.ts';
import { dataKeyCacheBenchmark } from './data-key-cache.ts';
import { sealedEntryRead } from './sealed-entry-read.ts';
import { keysRotateBenchmark } from './keys-rotate.ts';
import { messagingSend } from './messaging-send.ts';
import { mlsCommitBenchmark, mlsSealOpenBenchmark } from './mls-client.ts';

export const benchmarks: readonly Benchmark[] = [
  platformOverhead,
  dpopAuth,
  signInBenchmark,
  ...auditLogBenchmarks,
  dataKeyCacheBenchmark,
  sealedEntryRead,
  keysRotateBenchmark,
  messagingSend,
  mlsSealOpenBenchmark,
  mlsCommitBenchmark,
];

export function benchmarkByName(name: string): Benchmark {
  const found = benchmarks.find((benchmark) => benchmark.name === name);
  if (!found) throw new Error(`unknown benchmark "${name}"; available: ${benchmarks.map((b) => b.name).join(', ')}`);
  return found;
}
