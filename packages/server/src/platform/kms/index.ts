/**
 * @module platform/kms
 *
 * The key service: KEKs that wrap every person's data key, behind one port (key-service.ts) with
 * a `local` key-file adapter and a `pkcs11` HSM adapter.
 */
export { KeyServiceUnavailableError, KeyUnwrapError, isKeyServiceUnavailable } from './key-service.ts';
export type { KekVersions, KeyService, WrappedKey } from './key-service.ts';
export { LocalKeyFileError, createLocalKeyFile, generateLocalKeyFile, openLocalKeyService } from './local.ts';
export { developmentKeyFile, openKeyService } from './open.ts';
export { Pkcs11KeyServiceError, openPkcs11KeyService } from './pkcs11.ts';
export type { Pkcs11KeyServiceOptions } from './pkcs11.ts';
