/**
 * @module bench/lib/registry-check
 *
 * Finds benchmarks that exist but would never run: a module in `bench/benchmarks/` exports a
 * `Benchmark` (or a list of them) that is missing from the registry (`benchmarks/index.ts`).
 * `npm run bench` and the CI smoke run run the registry, so such a benchmark would rot
 * unnoticed; the runner refuses to start instead. Helpers live in `benchmarks/support/`, which
 * is not scanned.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Benchmark } from './types.ts';

const BENCHMARKS_DIR = fileURLToPath(new URL('../benchmarks/', import.meta.url));
const REGISTRY_FILE = 'index.ts';

function isBenchmark(value: unknown): value is Benchmark {
  if (typeof value !== 'object' || value === null) return false;
  const { name, sides } = value as { name?: unknown; sides?: unknown };
  return typeof name === 'string' && typeof sides === 'object' && sides !== null && 'candidate' in sides && 'baseline' in sides;
}

/** Every benchmark a module exports, alone or in a list. */
function exportedBenchmarks(exports: Record<string, unknown>): Benchmark[] {
  return Object.values(exports).flatMap((value) => (Array.isArray(value) ? value : [value]).filter(isBenchmark));
}

/** `file: name` for every benchmark exported from `bench/benchmarks/*.ts` but not registered. */
export async function unregisteredBenchmarks(registry: readonly Benchmark[]): Promise<string[]> {
  const files = (await readdir(BENCHMARKS_DIR)).filter((file) => file.endsWith('.ts') && file !== REGISTRY_FILE).sort();
  const missing: string[] = [];
  for (const file of files) {
    const exports = (await import(pathToFileURL(path.join(BENCHMARKS_DIR, file)).href)) as Record<string, unknown>;
    for (const benchmark of exportedBenchmarks(exports)) {
      if (!registry.includes(benchmark)) missing.push(`${file}: ${benchmark.name}`);
    }
  }
  return missing;
}
