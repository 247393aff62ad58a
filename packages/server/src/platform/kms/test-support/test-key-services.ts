/**
 * @module platform/kms/test-support/test-key-services
 *
 * The key service adapters every key-service-backed test runs against: `local` always, `pkcs11`
 * on this run's SoftHSM2 token whenever SoftHSM2 is installed (always in CI). Use with
 * `describe.each(testKeyServices())`, or crossed with `testDatabases()`.
 */
import type { ConfigOverrides } from '../../../config/schema.ts';
import { loadConfig } from '../../../config/load.ts';
import { randomName } from '../../../test-support/postgres.ts';
import { softHsmToken } from '../../../test-support/softhsm.ts';
import type { KeyService } from '../key-service.ts';
import { openKeyService } from '../open.ts';

export type KeyServiceSettings = NonNullable<ConfigOverrides['keyService']>;

export interface TestKeyService {
  readonly adapter: 'local' | 'pkcs11';
  /**
   * Settings of a fresh, empty key service: the development key file of the app's own data
   * directory, or a label prefix of its own on this run's SoftHSM2 token.
   */
  readonly freshKeyService: () => KeyServiceSettings;
}

const local: TestKeyService = { adapter: 'local', freshKeyService: () => ({ adapter: 'local' }) };

export function testKeyServices(): TestKeyService[] {
  const token = softHsmToken();
  if (token === null) return [local];
  const { library, tokenLabel, pin } = token;
  return [
    local,
    {
      adapter: 'pkcs11',
      freshKeyService: () => ({ adapter: 'pkcs11', pkcs11: { library, tokenLabel, pin, keyLabelPrefix: randomName('kek') } }),
    },
  ];
}

/** Opens the key service `settings` name, with `dataDir` as the data directory (where `local` keeps its file). */
export function openTestKeyService(settings: KeyServiceSettings, dataDir: string): Promise<KeyService> {
  const { config } = loadConfig({ overrides: { environment: 'test', dataDir, keyService: settings } });
  return openKeyService(config);
}
