/**
 * @module storage/indexeddb-session-store
 *
 * A web app's session that survives a reload: the DPoP key pair and the tokens in one IndexedDB
 * database, never in `localStorage` (readable as text by any script and written to disk as is).
 *
 * The key pair is stored as the `CryptoKeyPair` object itself: IndexedDB keeps a `CryptoKey`
 * through structured cloning without exposing its bytes, and the private key the SDK generates
 * is non-extractable, so neither script on the page nor anyone reading the profile's files can
 * take it elsewhere. The tokens beside it are useless without that key (every request carries a
 * DPoP proof the server checks against the key the tokens are bound to).
 *
 * What it does not protect against: script running in the page while the person is signed in
 * can still *use* the key to sign requests (that is what a strict CSP and Trusted Types are for).
 */
import type { DpopKeyStore } from '../dpop/key-store.ts';
import { databaseConnection, indexedDbFactory, requestResult, transactionDone } from '../lib/indexeddb.ts';
import type { StoredTokens, TokenStore } from './token-store.ts';

const DATABASE_VERSION = 1;
const STORE = 'session';
const TOKENS = 'tokens';
const DPOP_KEY = 'dpop-key';

/** Options of {@link IndexedDbSessionStore}. */
export interface IndexedDbSessionStoreOptions {
  /** Database name; default `portcullis-session`. One per app origin is enough. */
  readonly databaseName?: string | undefined;
  /** The IndexedDB factory; defaults to `globalThis.indexedDB`. */
  readonly indexedDB?: IDBFactory | undefined;
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  if (typeof value !== 'object' || value === null) return false;
  const { privateKey, publicKey } = value as Partial<CryptoKeyPair>;
  return typeof CryptoKey !== 'undefined' && privateKey instanceof CryptoKey && publicKey instanceof CryptoKey;
}

/**
 * The token store and the DPoP key store of one browser session, over one IndexedDB database.
 *
 * @example
 *   const session = new IndexedDbSessionStore();
 *   const client = new PortcullisClient({ baseUrl: location.origin, tokenStore: session.tokenStore, keyStore: session.keyStore });
 */
export class IndexedDbSessionStore {
  readonly tokenStore: TokenStore;
  readonly keyStore: DpopKeyStore;

  constructor(options: IndexedDbSessionStoreOptions = {}) {
    const name = options.databaseName ?? 'portcullis-session';
    if (typeof name !== 'string' || name === '') throw new TypeError('databaseName must be a non-empty string');
    const connection = databaseConnection(indexedDbFactory(options.indexedDB), name, DATABASE_VERSION, [STORE]);

    async function read(key: string): Promise<unknown> {
      const database = await connection.open();
      return requestResult(database.transaction(STORE, 'readonly').objectStore(STORE).get(key));
    }
    async function write(key: string, value: unknown): Promise<void> {
      const database = await connection.open();
      const transaction = database.transaction(STORE, 'readwrite');
      const done = transactionDone(transaction);
      const store = transaction.objectStore(STORE);
      if (value === undefined) store.delete(key);
      else store.put(value, key);
      await done;
    }

    this.tokenStore = {
      async load() {
        const value = await read(TOKENS);
        return typeof value === 'object' && value !== null ? Object.freeze({ ...(value as StoredTokens) }) : null;
      },
      save: (tokens) => write(TOKENS, { ...tokens }),
      clear: () => write(TOKENS, undefined),
    };
    this.keyStore = {
      async get() {
        const value = await read(DPOP_KEY);
        return isKeyPair(value) ? value : null;
      },
      put: (key) => write(DPOP_KEY, key),
      delete: () => write(DPOP_KEY, undefined),
    };
  }
}
