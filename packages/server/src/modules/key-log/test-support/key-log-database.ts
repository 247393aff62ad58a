/**
 * @module modules/key-log/test-support/key-log-database
 *
 * A fresh, migrated database of the requested dialect with what the key log needs around it
 * (configuration, a development key ring in a temporary data directory, a manual clock), and
 * sample entries to append.
 */
import { rmSync } from 'node:fs';
import { testConfig } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import type { Config, ConfigOverrides } from '../../../config/schema.ts';
import { manualClock } from '../../../platform/clock/clock.ts';
import { loadKeyRing, type KeyRing } from '../../../platform/crypto/index.ts';
import { migrateToLatest, openDatabase, withTransaction, type DatabaseHandle } from '../../../platform/db/index.ts';
import { createLogger } from '../../../platform/logging/logger.ts';
import { appendKeyLogEntry } from '../append.ts';
import type { KeyLogDeps } from '../checkpoint.ts';
import type { KeyLogAppend } from '../entry.ts';

export interface KeyLogTestDatabase {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock: ReturnType<typeof manualClock>;
  readonly keyRing: KeyRing;
  readonly deps: KeyLogDeps;
  close(): Promise<void>;
}

export async function openKeyLogTestDatabase(dialect: TestDialect, config: ConfigOverrides = {}): Promise<KeyLogTestDatabase> {
  const resolved = testConfig({ dialect, config });
  const database = openDatabase(resolved, createLogger(resolved));
  await migrateToLatest(database);
  const clock = manualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const keyRing = loadKeyRing(resolved);
  return {
    config: resolved,
    database,
    clock,
    keyRing,
    deps: { db: database.db, clock, keyRing, config: resolved },
    close: async () => {
      await database.close();
      rmSync(resolved.dataDir, { recursive: true, force: true });
    },
  };
}

/** A device key that differs for every `n`. */
export function sampleKey(n: number): Uint8Array {
  const key = new Uint8Array(32);
  for (let i = 0; i < key.length; i += 1) key[i] = (n * 31 + i * 7) % 256;
  return key;
}

/** A typical entry, varied by `n`: adds, with a removal every fourth. */
export function sampleAppend(n: number): KeyLogAppend {
  return {
    op: n % 4 === 3 ? 'remove' : 'add',
    accountId: `0b6f2c1e-3d4a-4f5b-8c6d-${String(n % 5).padStart(12, '0')}`,
    deviceId: `dev_${n}`,
    signatureKey: sampleKey(n),
  };
}

/** Appends `count` sample entries, one transaction each, one millisecond apart. */
export async function appendSamples(db: KeyLogTestDatabase, count: number, first = 0): Promise<void> {
  for (let n = first; n < first + count; n += 1) {
    db.clock.advance(1);
    await withTransaction(db.database.db, (tx) => appendKeyLogEntry(tx, sampleAppend(n), db.clock));
  }
}
