/**
 * @module platform/kms
 *
 * The key service: KEKs that wrap every person's data key, behind one port (key-service.ts) with
 * a `local` key-file adapter and a `pkcs11` HSM adapter.
 */
export { KeyServiceUnavailableError, KeyUnwrapError, isKeyServiceUnavailable } from './key-service.ts';
export type { KekVersions, KeyService, WrappedKey } from './key-service.ts';
export { LocalKeyFileError, createLocalKeyFile, generateLocalKeyFile, openLocalKeyService } from './local.ts';
export { openKeyService } from './open.ts';
