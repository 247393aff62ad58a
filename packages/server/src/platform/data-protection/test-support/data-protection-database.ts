/**
 * @module platform/data-protection/test-support/data-protection-database
 *
 * A fresh, migrated database of the requested dialect with a development key service (a local key
 * file in a temporary data directory) and data protection over them, for tests of this platform
 * part and of the modules that seal through it.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { testConfig } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import { manualClock } from '../../clock/clock.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../db/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { openLocalKeyService, type KeyService } from '../../kms/index.ts';
import { createDataProtection, type DataProtectionService } from '../data-protection.ts';

export interface DataProtectionTestDatabase {
  readonly database: DatabaseHandle;
  readonly keyService: KeyService;
  readonly clock: ReturnType<typeof manualClock>;
  readonly keyFile: string;
  /** A new data-protection instance (its own key cache) over the same database and key service. */
  newDataProtection(cache?: { maxKeys: number; ttlMs: number }): DataProtectionService;
  close(): Promise<void>;
}

export async function openDataProtectionTestDatabase(dialect: TestDialect): Promise<DataProtectionTestDatabase> {
  const config = testConfig({ dialect });
  const database = openDatabase(config, createLogger(config));
  await migrateToLatest(database);
  const clock = manualClock(Date.UTC(2026, 11, 7, 8, 0, 0));
  const keyFile = path.join(config.dataDir, 'key-service', 'kek.json');
  const keyService = openLocalKeyService(keyFile, { createIfMissing: true, development: true });
  return {
    database,
    keyService,
    clock,
    keyFile,
    newDataProtection: (cache = { maxKeys: 100, ttlMs: 60_000 }) => createDataProtection({ keyService, now: () => clock.now(), cache }),
    close: async () => {
      await keyService.close();
      await database.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
