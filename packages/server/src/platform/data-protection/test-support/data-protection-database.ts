/**
 * @module platform/data-protection/test-support/data-protection-database
 *
 * A fresh, migrated database of the requested dialect with a fresh key service of the requested
 * adapter (by default the development key file in a temporary data directory; see
 * kms/test-support) and data protection over them, for tests of this platform part and of the
 * modules that seal through it.
 */
import { rmSync } from 'node:fs';
import { testConfig } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import { manualClock } from '../../clock/clock.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../db/index.ts';
import { createLogger } from '../../logging/logger.ts';
import type { KeyService } from '../../kms/index.ts';
import { openTestKeyService, type KeyServiceSettings } from '../../kms/test-support/test-key-services.ts';
import { createDataProtection, type DataProtectionService } from '../data-protection.ts';

export interface DataProtectionTestDatabase {
  readonly database: DatabaseHandle;
  readonly keyService: KeyService;
  readonly clock: ReturnType<typeof manualClock>;
  /** The key service's settings: open them again for a second process's view of the same keys. */
  readonly keyServiceSettings: KeyServiceSettings;
  readonly dataDir: string;
  /** A new data-protection instance (its own key cache) over the same database and key service. */
  newDataProtection(cache?: { maxKeys: number; ttlMs: number }): DataProtectionService;
  close(): Promise<void>;
}

export async function openDataProtectionTestDatabase(
  dialect: TestDialect,
  keyServiceSettings: KeyServiceSettings = { adapter: 'local' },
): Promise<DataProtectionTestDatabase> {
  const config = testConfig({ dialect });
  const database = openDatabase(config, createLogger(config));
  await migrateToLatest(database);
  const clock = manualClock(Date.UTC(2026, 11, 7, 8, 0, 0));
  const keyService = await openTestKeyService(keyServiceSettings, config.dataDir);
  return {
    database,
    keyService,
    clock,
    keyServiceSettings,
    dataDir: config.dataDir,
    newDataProtection: (cache = { maxKeys: 100, ttlMs: 60_000 }) => createDataProtection({ keyService, now: () => clock.now(), cache }),
    close: async () => {
      await keyService.close();
      await database.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
