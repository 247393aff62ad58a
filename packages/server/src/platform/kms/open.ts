/**
 * @module platform/kms/open
 *
 * Opens the key service the configuration names (`keyService.adapter`): the `local` key file, or
 * a PKCS#11 token. The PIN is read here, once, from `keyService.pkcs11.pinFile` (or taken from
 * `pin`, which the environment can set); it is handed to the token and kept nowhere else. The
 * configuration guards (config/kms.ts) have already refused a production key file inside the
 * data directory; a development key file is refused in production here as well.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { KeyService } from './key-service.ts';
import { LocalKeyFileError, openLocalKeyService } from './local.ts';
import { openPkcs11KeyService } from './pkcs11.ts';

type KeyServiceConfig = Pick<Config, 'environment' | 'dataDir' | 'keyService'>;

/** Where the development key file lives when `keyService.local.keyFile` is unset. */
export function developmentKeyFile(dataDir: string): string {
  return path.join(dataDir, 'key-service', 'kek.json');
}

function readPin(pkcs11: Config['keyService']['pkcs11']): string {
  if (pkcs11.pinFile) {
    try {
      return readFileSync(pkcs11.pinFile, 'utf8').trim();
    } catch {
      throw new TypeError(`keyService.pkcs11.pinFile ${pkcs11.pinFile} cannot be read`);
    }
  }
  if (pkcs11.pin) return pkcs11.pin;
  throw new TypeError('keyService.pkcs11: neither pinFile nor pin is set');
}

/**
 * @example
 * const keyService = await openKeyService(config);
 * const wrapped = await keyService.wrap(dataKey, context);
 */
export async function openKeyService(config: KeyServiceConfig): Promise<KeyService> {
  const { keyService } = config;
  if (keyService.adapter === 'pkcs11') {
    const { library, tokenLabel, keyLabelPrefix } = keyService.pkcs11;
    if (!library || !tokenLabel) throw new TypeError('keyService.pkcs11: library and tokenLabel are required');
    return openPkcs11KeyService({ library, tokenLabel, keyLabelPrefix, pin: readPin(keyService.pkcs11) });
  }
  const { keyFile } = keyService.local;
  const production = config.environment === 'production';
  const service = openLocalKeyService(keyFile ?? developmentKeyFile(config.dataDir), {
    createIfMissing: !production,
    development: keyFile === undefined,
  });
  if (production && service.development) {
    throw new LocalKeyFileError(`key file ${keyFile} is a development key file; production needs one created for it`);
  }
  return Promise.resolve(service);
}
