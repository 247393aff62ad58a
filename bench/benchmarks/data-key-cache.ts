/**
 * @module bench/benchmarks/data-key-cache
 *
 * What the in-memory data-key cache buys when reads are spread over many people. Both sides seal
 * one value for each of `BENCH_DATA_KEY_PEOPLE` people (10,000 by default: each gets a data key,
 * wrapped by the local key service, in SQLite), then open the value of a person drawn uniformly at
 * random, over and over. The candidate keeps up to 10,000 unwrapped keys (the default
 * `keyService.cache.maxKeys`); the baseline keeps none, so every read reads the person's key row
 * and asks the key service to unwrap it. Each sample prints the cache hit rate of its measured run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { loadConfig } from '@portcullis/server';
import { migrateToLatest, openDatabase, withTransaction } from '../../packages/server/src/platform/db/index.js';
import { createDataProtection } from '../../packages/server/src/platform/data-protection/index.js';
import { openLocalKeyService } from '../../packages/server/src/platform/kms/index.js';
import { createLogger } from '../../packages/server/src/platform/logging/logger.js';
import type { Benchmark, FunctionTarget } from '../lib/types.ts';

const DEFAULT_CACHE_KEYS = 10_000;
const CONCURRENCY = 8;

function peopleFromEnvironment(): number {
  const raw = process.env['BENCH_DATA_KEY_PEOPLE'];
  const people = raw === undefined || raw === '' ? 10_000 : Number(raw);
  if (!Number.isInteger(people) || people < 100 || people > 1_000_000)
    throw new RangeError('BENCH_DATA_KEY_PEOPLE must be an integer from 100 to 1,000,000');
  return people;
}

const at = (person: number) => ({ table: 'bench_values', column: 'value', rowId: String(person) });

function side(cacheKeys: number): () => Promise<FunctionTarget> {
  return async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'portcullis-bench-keys-'));
    const config = loadConfig({
      env: {},
      overrides: {
        environment: 'development',
        publicUrl: 'http://127.0.0.1:1',
        dataDir,
        database: { url: 'sqlite:bench.db' },
        log: { level: 'silent' },
        metrics: { enabled: false },
      },
    }).config;
    const database = openDatabase(config, createLogger(config));
    await migrateToLatest(database);
    const keyService = openLocalKeyService(path.join(dataDir, 'key-service', 'kek.json'), { createIfMissing: true, development: true });
    const seeding = createDataProtection({ keyService, now: Date.now, cache: { maxKeys: 0, ttlMs: 1 } });
    const people = peopleFromEnvironment();
    const subjects = Array.from({ length: people }, (_, n) => `bench-person-${n}`);
    const sealed = await withTransaction(database.db, async (tx) => {
      const values: string[] = [];
      for (const [n, subject] of subjects.entries()) values.push(await seeding.seal(tx, subject, `value of person ${n}`, at(n)));
      return values;
    });
    const dataProtection = createDataProtection({ keyService, now: Date.now, cache: { maxKeys: cacheKeys, ttlMs: 3_600_000 } });
    let last = dataProtection.cacheStats();
    return {
      concurrency: CONCURRENCY,
      call: () => {
        const n = randomInt(people);
        const [subject, value] = [subjects[n], sealed[n]];
        if (subject === undefined || value === undefined) throw new RangeError('person out of range');
        return dataProtection.open(database.db, subject, value, at(n));
      },
      note: () => {
        const now = dataProtection.cacheStats();
        const hits = now.hits - last.hits;
        const misses = now.misses - last.misses;
        last = now;
        return `cache hit rate ${((100 * hits) / Math.max(1, hits + misses)).toFixed(1)}% (${hits} hits, ${misses} misses, ${people.toLocaleString('en-US')} people)`;
      },
      close: async () => {
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

export const dataKeyCacheBenchmark: Benchmark = {
  name: 'data-key-cache',
  description:
    'Opening a sealed value of a random person out of 10,000 with the data-key cache (10,000 keys, the default) vs without it (every read unwraps through the key service).',
  target: 1,
  sides: {
    candidate: {
      kind: 'function',
      label: `open, cache of ${DEFAULT_CACHE_KEYS.toLocaleString('en-US')} keys`,
      setup: side(DEFAULT_CACHE_KEYS),
    },
    baseline: { kind: 'function', label: 'open, no cache (unwrap per read)', setup: side(0) },
  },
};
