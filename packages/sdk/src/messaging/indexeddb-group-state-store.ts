/**
 * @module messaging/indexeddb-group-state-store
 *
 * {@link GroupStateStore} on the browser's IndexedDB, with the raw API (no wrapper library):
 * one database per messaging device, one object store per namespace, and one `readwrite`
 * transaction per batch so a batch is applied all or nothing. A `put` overwrites the record in
 * place; the browser may keep freed pages until it compacts its files, which is outside what a
 * page can control.
 */
import { STORE_NAMESPACES, type GroupStateStore, type StoreNamespace, type StoreWrite } from './group-state-store.ts';

const DATABASE_VERSION = 1;

/** Options of {@link IndexedDbGroupStateStore}. */
export interface IndexedDbGroupStateStoreOptions {
  /** Database name; one per messaging device (per signed-in account on a shared browser). */
  readonly databaseName: string;
  /** The IndexedDB factory; defaults to `globalThis.indexedDB`. */
  readonly indexedDB?: IDBFactory | undefined;
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB request failed'));
    };
  });
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => {
      resolve();
    };
    transaction.onerror = () => {
      reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    };
    transaction.onabort = () => {
      reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    };
  });
}

function toBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError('the IndexedDB record is not bytes');
}

/** A {@link GroupStateStore} in IndexedDB. */
export class IndexedDbGroupStateStore implements GroupStateStore {
  readonly #name: string;
  readonly #factory: IDBFactory;
  #database: Promise<IDBDatabase> | undefined;

  constructor(options: IndexedDbGroupStateStoreOptions) {
    if (typeof options.databaseName !== 'string' || options.databaseName === '')
      throw new TypeError('databaseName must be a non-empty string');
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (factory === undefined) throw new TypeError('IndexedDB is not available on this platform');
    this.#name = options.databaseName;
    this.#factory = factory;
  }

  #open(): Promise<IDBDatabase> {
    this.#database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.#factory.open(this.#name, DATABASE_VERSION);
      request.onupgradeneeded = () => {
        for (const ns of STORE_NAMESPACES) {
          if (!request.result.objectStoreNames.contains(ns)) request.result.createObjectStore(ns);
        }
      };
      request.onsuccess = () => {
        resolve(request.result);
      };
      request.onerror = () => {
        reject(request.error ?? new Error('IndexedDB open failed'));
      };
    });
    return this.#database;
  }

  async get(ns: StoreNamespace, key: string): Promise<Uint8Array | undefined> {
    const database = await this.#open();
    const store = database.transaction(ns, 'readonly').objectStore(ns);
    return toBytes(await requestResult(store.get(key)));
  }

  async keys(ns: StoreNamespace): Promise<string[]> {
    const database = await this.#open();
    const store = database.transaction(ns, 'readonly').objectStore(ns);
    const keys = await requestResult(store.getAllKeys());
    return keys.filter((key): key is string => typeof key === 'string');
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    if (batch.length === 0) return;
    const database = await this.#open();
    const names = [...new Set(batch.map((write) => write.ns))];
    const transaction = database.transaction(names, 'readwrite');
    const done = transactionDone(transaction);
    for (const write of batch) {
      const store = transaction.objectStore(write.ns);
      if (write.op === 'put') store.put(write.value.slice(), write.key);
      else store.delete(write.key);
    }
    await done;
  }

  /** Closes the database connection (the store reopens it on next use). */
  close(): void {
    const pending = this.#database;
    this.#database = undefined;
    void pending?.then((database) => {
      database.close();
    });
  }
}
