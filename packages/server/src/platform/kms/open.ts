/**
 * @module platform/kms/open
 *
 * Opens the key service the configuration names. Today: the development key file under the data
 * directory (the full `keyService` configuration and the PKCS#11 adapter extend this).
 */
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { KeyService } from './key-service.ts';
import { openLocalKeyService } from './local.ts';

export function openKeyService(config: Pick<Config, 'dataDir'>): Promise<KeyService> {
  return Promise.resolve(
    openLocalKeyService(path.join(config.dataDir, 'key-service', 'kek.json'), { createIfMissing: true, development: true }),
  );
}
