/**
 * @module dpop/create-dpop-key
 *
 * Generates the device's DPoP key (RFC 9449): the key every session's tokens are bound to. The
 * private key is created non-extractable, so script running in the page (an XSS payload, a
 * compromised dependency) can use it to sign only while it runs there, and can never copy it
 * out to replay tokens from elsewhere. Only WebCrypto is used; no key material passes through
 * JavaScript.
 */
import { ClientError } from '../errors.ts';
import { subtleCrypto } from '../lib/webcrypto.ts';
import { DPOP_KEY_ALGORITHM } from './dpop-key-pair.ts';

/**
 * Creates an ES256 (ECDSA P-256) key pair for DPoP proofs.
 *
 * The private key is non-extractable (`exportKey` rejects for it); the public key is always
 * exportable, as WebCrypto requires, and is what proofs carry in their `jwk` header.
 *
 * @returns The new key pair. Store it in a {@link DpopKeyStore} to keep sessions across restarts.
 * @throws {ClientError} `DPOP_KEY_UNAVAILABLE` when WebCrypto is missing or refuses to generate.
 * @example
 *   const key = await createDpopKey();
 *   await keyStore.put(key);
 */
export async function createDpopKey(): Promise<CryptoKeyPair> {
  const subtle = subtleCrypto();
  try {
    return await subtle.generateKey(DPOP_KEY_ALGORITHM, false, ['sign', 'verify']);
  } catch (cause) {
    throw new ClientError('DPOP_KEY_UNAVAILABLE', 'The DPoP key could not be generated', { cause });
  }
}
