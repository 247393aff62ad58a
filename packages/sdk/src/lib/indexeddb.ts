/**
 * @module lib/indexeddb
 *
 * The few promise wrappers the SDK's IndexedDB stores need over the raw API (no wrapper
 * library): one request's result, one transaction's completion, and opening a database with its
 * object stores. Internal.
 */

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB request failed'));
    };
  });
}

export function transactionDone(transaction: IDBTransaction): Promise<void> {
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

/** The platform's IndexedDB, or a TypeError naming what is missing. */
export function indexedDbFactory(given: IDBFactory | undefined): IDBFactory {
  const factory = given ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) throw new TypeError('IndexedDB is not available on this platform');
  return factory;
}

/** One database connection, opened on first use. */
export interface DatabaseConnection {
  /** The open database; a failed open is not kept, so the next call tries again. */
  open(): Promise<IDBDatabase>;
  /** Closes the connection; the next `open` reopens it. */
  close(): void;
}

/** Database `name` at `version`, created with any of `stores` it lacks. */
export function databaseConnection(factory: IDBFactory, name: string, version: number, stores: readonly string[]): DatabaseConnection {
  let database: Promise<IDBDatabase> | undefined;
  return {
    open() {
      if (database !== undefined) return database;
      const opening = new Promise<IDBDatabase>((resolve, reject) => {
        const request = factory.open(name, version);
        request.onupgradeneeded = () => {
          for (const store of stores) {
            if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
          }
        };
        request.onsuccess = () => {
          resolve(request.result);
        };
        request.onerror = () => {
          reject(request.error ?? new Error('IndexedDB open failed'));
        };
      });
      database = opening;
      opening.catch(() => {
        if (database === opening) database = undefined;
      });
      return opening;
    },
    close() {
      const pending = database;
      database = undefined;
      void pending?.then((open) => {
        open.close();
      });
    },
  };
}
