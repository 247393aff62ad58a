/**
 * @module bench/benchmarks/keys-rotate
 *
 * How fast `portcullis keys rotate` re-wraps data keys, on the HSM and on the key file, in the
 * same run. Each side seals one value for each of `BENCH_REWRAP_KEYS` people (1,000 by default)
 * in SQLite, then calls `rotateDataKeys` over and over: every call makes a new KEK version,
 * re-wraps every data key under it in batches of 200 (unwrap under the old version, wrap under the
 * new one, one transaction per batch with the optimistic check) and retires the old version. The
 * candidate's KEKs are on a SoftHSM2 token (`pkcs11`: C_Decrypt and C_Encrypt inside the token);
 * the baseline's are in a local key file. One call is one whole rotation, so the table's p50 is
 * the time per rotation; each sample prints re-wraps per second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, type ConfigOverrides } from '@portcullis/server';
// Server internals, imported with `.js`: tsx maps `.js` to the `.ts` source at run time.
import { migrateToLatest, openDatabase, withTransaction } from '../../packages/server/src/platform/db/index.js';
import { createDataProtection, rotateDataKeys } from '../../packages/server/src/platform/data-protection/index.js';
import { openKeyService } from '../../packages/server/src/platform/kms/index.js';
import { createLogger } from '../../packages/server/src/platform/logging/logger.js';
import { softHsmToken } from '../../packages/server/src/test-support/softhsm.js';
import type { Benchmark, FunctionTarget } from '../lib/types.ts';

const BATCH_SIZE = 200;

function keysFromEnvironment(): number {
  const raw = process.env['BENCH_REWRAP_KEYS'];
  const keys = raw === undefined || raw === '' ? 1_000 : Number(raw);
  if (!Number.isInteger(keys) || keys < 10 || keys > 1_000_000)
    throw new RangeError('BENCH_REWRAP_KEYS must be an integer from 10 to 1,000,000');
  return keys;
}

function keyServiceSettings(adapter: 'local' | 'pkcs11'): NonNullable<ConfigOverrides['keyService']> {
  if (adapter === 'local') return { adapter: 'local' };
  const token = softHsmToken();
  if (token === null) throw new Error('the keys-rotate benchmark needs SoftHSM2 (Debian package softhsm2)');
  const { library, tokenLabel, pin } = token;
  return { adapter: 'pkcs11', pkcs11: { library, tokenLabel, pin, keyLabelPrefix: 'bench-kek' } };
}

function side(adapter: 'local' | 'pkcs11'): () => Promise<FunctionTarget> {
  return async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'portcullis-bench-rotate-'));
    const config = loadConfig({
      env: {},
      overrides: {
        environment: 'development',
        publicUrl: 'http://127.0.0.1:1',
        dataDir,
        database: { url: 'sqlite:bench.db' },
        log: { level: 'silent' },
        metrics: { enabled: false },
        keyService: keyServiceSettings(adapter),
      },
    }).config;
    const database = openDatabase(config, createLogger(config));
    await migrateToLatest(database);
    const keyService = await openKeyService(config);
    const seeding = createDataProtection({ keyService, now: Date.now, cache: { maxKeys: 0, ttlMs: 1 } });
    const keys = keysFromEnvironment();
    await withTransaction(database.db, async (tx) => {
      for (let n = 0; n < keys; n += 1) {
        await seeding.seal(tx, `bench-person-${n}`, `value of person ${n}`, { table: 'bench', column: 'value', rowId: String(n) });
      }
    });
    let rewrapped = 0;
    let since = performance.now();
    return {
      concurrency: 1,
      call: async () => {
        const report = await rotateDataKeys({ db: database.db, keyService, batchSize: BATCH_SIZE, retireGraceMs: 0 });
        if (report.rewrapped !== keys || report.retired.length !== 1) throw new Error(`rotation incomplete: ${JSON.stringify(report)}`);
        rewrapped += report.rewrapped;
      },
      note: () => {
        const now = performance.now();
        const perSecond = (rewrapped * 1000) / Math.max(1, now - since);
        const line = `${Math.round(perSecond).toLocaleString('en-US')} re-wraps/s (${keys.toLocaleString('en-US')} data keys per rotation, ${adapter})`;
        rewrapped = 0;
        since = now;
        return line;
      },
      close: async () => {
        await keyService.close();
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

export const keysRotateBenchmark: Benchmark = {
  name: 'keys-rotate',
  description:
    '`portcullis keys rotate` over 1,000 data keys (re-wrap every key under a new KEK, batches of 200, retire the old KEK): SoftHSM2 through PKCS#11 vs the local key file.',
  // Informational: an HSM round trip per unwrap and per wrap is expected to cost more than AES in process.
  target: 0.05,
  sides: {
    candidate: { kind: 'function', label: 'rotate, pkcs11 (SoftHSM2)', setup: side('pkcs11') },
    baseline: { kind: 'function', label: 'rotate, local key file', setup: side('local') },
  },
};
