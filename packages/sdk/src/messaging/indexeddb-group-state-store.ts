/**
 * @module messaging/indexeddb-group-state-store
 *
 * {@link GroupStateStore} on the browser's IndexedDB, with the raw API (no wrapper library):
 * one database per messaging device, one object store per namespace, and one `readwrite`
 * transaction per batch so a batch is applied all or nothing. A `put` overwrites the record in
 * place; the browser may keep freed pages until it compacts its files, which is outside what a
 * page can control.
 *
 * **Encrypted at rest.** Every value is sealed with AES-256-GCM under a key the store generates
 * on first use as a non-extractable WebCrypto `CryptoKey` and keeps in the same database (a
 * `CryptoKey` survives structured cloning into IndexedDB, but script can never read its bytes:
 * `exportKey` rejects). A record is `version (1) ‖ IV (12) ‖ ciphertext+tag`, with a fresh
 * random IV per write, and the namespace and key of its slot as additional data, so a record
 * copied into another slot does not open. A record that does not open is an error
 * (`STORED_STATE_UNREADABLE`), never treated as absent.
 *
 * What this protects: the files of the browser profile (a copied disk, a backup, a forensic image
 * taken without the running browser), since the key is stored in the browser's own key handling
 * and never as bytes a file reader could pick out. What it does not: script running in the page
 * (it can ask the store to decrypt) and the record keys, which stay readable (group ids, KeyPackage
 * references, `verified:<accountId>`).
 *
 * Databases written before values were encrypted are not migrated: their records do not open.
 */
import { databaseConnection, indexedDbFactory, type DatabaseConnection, requestResult, transactionDone } from '../lib/indexeddb.ts';
import { randomBytes, subtleCrypto } from '../lib/webcrypto.ts';
import { MessagingError } from './errors.ts';
import { STORE_NAMESPACES, type GroupStateStore, type StoreNamespace, type StoreWrite } from './group-state-store.ts';

/** Version 2 adds the object store of the sealing key. */
const DATABASE_VERSION = 2;
/** Object store of the sealing key; not a {@link StoreNamespace}, so never reachable through `get`/`write`. */
const KEY_STORE = 'sealing-key';
const KEY_ID = 'aes-256-gcm';
const RECORD_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_LABEL = new TextEncoder().encode('portcullis group state v1');

/** Options of {@link IndexedDbGroupStateStore}. */
export interface IndexedDbGroupStateStoreOptions {
  /** Database name; one per messaging device (per signed-in account on a shared browser). */
  readonly databaseName: string;
  /** The IndexedDB factory; defaults to `globalThis.indexedDB`. */
  readonly indexedDB?: IDBFactory | undefined;
}

function toBytes(value: unknown): Uint8Array<ArrayBuffer> {
  if (value instanceof Uint8Array && value.buffer instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw unreadable('the record is not bytes');
}

function unreadable(message: string, cause?: unknown): MessagingError {
  return new MessagingError('STORED_STATE_UNREADABLE', message, cause === undefined ? undefined : { cause });
}

/** The additional data of a slot: label ‖ len(ns) ‖ ns ‖ len(key) ‖ key (UTF-8, 32-bit big-endian lengths). */
function slotAdditionalData(ns: StoreNamespace, key: string): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const parts = [encoder.encode(ns), encoder.encode(key)];
  const out = new Uint8Array(AAD_LABEL.length + parts.reduce((sum, part) => sum + 4 + part.length, 0));
  out.set(AAD_LABEL, 0);
  const view = new DataView(out.buffer);
  let offset = AAD_LABEL.length;
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** A {@link GroupStateStore} in IndexedDB, every value sealed with a non-extractable AES-256-GCM key. */
export class IndexedDbGroupStateStore implements GroupStateStore {
  readonly #connection: DatabaseConnection;
  #key: Promise<CryptoKey> | undefined;

  constructor(options: IndexedDbGroupStateStoreOptions) {
    if (typeof options.databaseName !== 'string' || options.databaseName === '')
      throw new TypeError('databaseName must be a non-empty string');
    this.#connection = databaseConnection(indexedDbFactory(options.indexedDB), options.databaseName, DATABASE_VERSION, [
      ...STORE_NAMESPACES,
      KEY_STORE,
    ]);
  }

  /** The sealing key: read from the database, or generated (non-extractable) and added on first use. */
  #sealingKey(): Promise<CryptoKey> {
    if (this.#key !== undefined) return this.#key;
    const loading = this.#loadOrCreateKey();
    this.#key = loading;
    loading.catch(() => {
      if (this.#key === loading) this.#key = undefined;
    });
    return loading;
  }

  async #loadOrCreateKey(): Promise<CryptoKey> {
    const database = await this.#connection.open();
    const existing = await this.#readKey(database);
    if (existing !== undefined) return existing;
    const key = await subtleCrypto().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const transaction = database.transaction(KEY_STORE, 'readwrite');
    const done = transactionDone(transaction);
    // `add`, not `put`: when another tab created the key first, this fails and theirs is used.
    transaction.objectStore(KEY_STORE).add(key, KEY_ID);
    try {
      await done;
      return key;
    } catch (error) {
      const raced = await this.#readKey(database);
      if (raced !== undefined) return raced;
      throw error;
    }
  }

  async #readKey(database: IDBDatabase): Promise<CryptoKey | undefined> {
    const stored: unknown = await requestResult(database.transaction(KEY_STORE, 'readonly').objectStore(KEY_STORE).get(KEY_ID));
    if (stored === undefined) return undefined;
    if (!(stored instanceof CryptoKey) || stored.algorithm.name !== 'AES-GCM' || stored.extractable)
      throw unreadable('the stored sealing key is not a non-extractable AES-GCM key');
    return stored;
  }

  async #seal(key: CryptoKey, ns: StoreNamespace, name: string, value: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const iv = randomBytes(IV_BYTES);
    const plaintext = new Uint8Array(value);
    const sealed = new Uint8Array(
      await subtleCrypto().encrypt({ name: 'AES-GCM', iv, additionalData: slotAdditionalData(ns, name) }, key, plaintext),
    );
    plaintext.fill(0);
    const record = new Uint8Array(1 + IV_BYTES + sealed.length);
    record[0] = RECORD_VERSION;
    record.set(iv, 1);
    record.set(sealed, 1 + IV_BYTES);
    return record;
  }

  async #unseal(key: CryptoKey, ns: StoreNamespace, name: string, record: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    if (record.length < 1 + IV_BYTES + TAG_BYTES || record[0] !== RECORD_VERSION)
      throw unreadable('a stored record is not a sealed record of this store');
    try {
      return new Uint8Array(
        await subtleCrypto().decrypt(
          { name: 'AES-GCM', iv: record.subarray(1, 1 + IV_BYTES), additionalData: slotAdditionalData(ns, name) },
          key,
          record.subarray(1 + IV_BYTES),
        ),
      );
    } catch (error) {
      throw unreadable('a stored record does not open: altered, moved from another slot, or sealed under another key', error);
    }
  }

  async get(ns: StoreNamespace, key: string): Promise<Uint8Array | undefined> {
    const sealingKey = await this.#sealingKey();
    const database = await this.#connection.open();
    const store = database.transaction(ns, 'readonly').objectStore(ns);
    const record: unknown = await requestResult(store.get(key));
    if (record === undefined) return undefined;
    return this.#unseal(sealingKey, ns, key, toBytes(record));
  }

  async keys(ns: StoreNamespace): Promise<string[]> {
    const database = await this.#connection.open();
    const store = database.transaction(ns, 'readonly').objectStore(ns);
    const keys = await requestResult(store.getAllKeys());
    return keys.filter((key): key is string => typeof key === 'string');
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    if (batch.length === 0) return;
    const sealingKey = await this.#sealingKey();
    // Sealing is asynchronous and an IndexedDB transaction commits once it has nothing to do, so
    // every value is sealed first; the transaction then holds the whole batch or nothing.
    const records = await Promise.all(
      batch.map(async (write) => (write.op === 'put' ? this.#seal(sealingKey, write.ns, write.key, write.value) : undefined)),
    );
    const database = await this.#connection.open();
    const names = [...new Set(batch.map((write) => write.ns))];
    const transaction = database.transaction(names, 'readwrite');
    const done = transactionDone(transaction);
    batch.forEach((write, index) => {
      const store = transaction.objectStore(write.ns);
      const record = records[index];
      if (write.op === 'put' && record !== undefined) store.put(record, write.key);
      else store.delete(write.key);
    });
    await done;
  }

  /** Closes the database connection (the store reopens it on next use). */
  close(): void {
    this.#connection.close();
    this.#key = undefined;
  }
}
