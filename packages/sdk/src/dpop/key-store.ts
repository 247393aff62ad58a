/**
 * @module dpop/key-store
 *
 * Where the DPoP key pair lives between calls and across restarts. The key is kept as a
 * `CryptoKeyPair` object, never as exported bytes: exporting would require an extractable key,
 * which defeats the point of binding tokens to it.
 *
 * Adapters per platform:
 * - Memory ({@link MemoryDpopKeyStore}, here): the key lives as long as the page or process, so
 *   a reload signs the person out. The default, and right for tests.
 * - Web: `IndexedDbSessionStore` (storage/indexeddb-session-store.ts) stores the
 *   non-extractable `CryptoKey` object itself (it is structured-cloneable), so the key survives
 *   reloads while staying non-extractable; the browser keeps the key material out of reach of script.
 * - React Native (planned): a hardware-backed key from the Keychain / Android Keystore behind
 *   the platform's WebCrypto implementation.
 */

/**
 * Storage port for the device's one DPoP key pair.
 *
 * `get` resolves `null` when no key is stored; it rejects only when the store itself failed (the
 * client then reports `DPOP_KEY_UNAVAILABLE` and keeps the session, since the key may still be
 * there).
 *
 * @example
 *   // Any object with these three methods works, e.g. an IndexedDB adapter:
 *   const keyStore: DpopKeyStore = {
 *     get: () => idbGet('portcullis-dpop-key'),
 *     put: (key) => idbSet('portcullis-dpop-key', key),
 *     delete: () => idbDelete('portcullis-dpop-key'),
 *   };
 */
export interface DpopKeyStore {
  get(): Promise<CryptoKeyPair | null>;
  put(key: CryptoKeyPair): Promise<void>;
  delete(): Promise<void>;
}

/**
 * Keeps the DPoP key in memory: gone when the page reloads or the process exits.
 *
 * @example
 *   const client = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore(), keyStore: new MemoryDpopKeyStore() });
 */
export class MemoryDpopKeyStore implements DpopKeyStore {
  #key: CryptoKeyPair | null = null;

  async get(): Promise<CryptoKeyPair | null> {
    return this.#key;
  }

  async put(key: CryptoKeyPair): Promise<void> {
    this.#key = key;
  }

  async delete(): Promise<void> {
    this.#key = null;
  }
}
