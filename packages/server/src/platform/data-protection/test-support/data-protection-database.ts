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
  /** PORTCULLIS_* variables (and SoftHSM's configuration) under which the real CLI opens this database and key service. */
  readonly env: Readonly<Record<string, string>>;
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
  const { pkcs11 } = config.keyService;
  const env: Record<string, string> = {
    PORTCULLIS_DATA_DIR: config.dataDir,
    PORTCULLIS_DATABASE_URL: config.database.url,
    PORTCULLIS_LOG_LEVEL: 'silent',
    ...(dialect === 'postgres' ? { PORTCULLIS_DATABASE_SCHEMA: config.database.schema } : {}),
    ...(keyServiceSettings.adapter === 'pkcs11'
      ? {
          PORTCULLIS_KEY_SERVICE_ADAPTER: 'pkcs11',
          PORTCULLIS_KEY_SERVICE_PKCS11_LIBRARY: keyServiceSettings.pkcs11?.library ?? '',
          PORTCULLIS_KEY_SERVICE_PKCS11_TOKEN_LABEL: keyServiceSettings.pkcs11?.tokenLabel ?? '',
          PORTCULLIS_KEY_SERVICE_PKCS11_PIN: keyServiceSettings.pkcs11?.pin ?? '',
          PORTCULLIS_KEY_SERVICE_PKCS11_KEY_LABEL_PREFIX: keyServiceSettings.pkcs11?.keyLabelPrefix ?? pkcs11.keyLabelPrefix,
          SOFTHSM2_CONF: process.env['SOFTHSM2_CONF'] ?? '',
        }
      : {}),
  };
  return {
    env,
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
