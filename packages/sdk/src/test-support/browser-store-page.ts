/**
 * @module test-support/browser-store-page
 *
 * The script of the page `indexeddb-group-state-store.browser.security.test.ts` serves to Chromium: the
 * SDK's {@link IndexedDbGroupStateStore} on the browser's own IndexedDB and WebCrypto, and two
 * messaging engines over it talking through the in-memory delivery service. Bundled with
 * esbuild when the test starts; it exposes each step on `globalThis.storePage`, and reads the
 * databases with the raw IndexedDB API so the test sees what lies on disk. Runs only in the
 * browser (the test imports its types, never the module).
 */
import { createMlsEngine, IndexedDbGroupStateStore, isMessagingError, type StoreNamespace } from '@portcullis/sdk/messaging';
import { MemoryDeliveryService } from './memory-delivery.ts';

/** An outcome the test can compare: a value, or the code of what was thrown. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly message: string };

/** What the page can tell about the stored sealing key. */
export interface SealingKeyReport {
  readonly isCryptoKey: boolean;
  readonly type: string;
  readonly extractable: boolean;
  readonly algorithm: string;
  readonly length: number | undefined;
  readonly usages: readonly string[];
  /** Whether `exportKey` rejected, for each format tried. */
  readonly exportRejected: { readonly raw: boolean; readonly jwk: boolean };
}

/** One raw IndexedDB record, as stored (base64 of its bytes, or a description when it is not bytes). */
export interface RawRecord {
  readonly store: string;
  readonly key: string;
  readonly base64: string | undefined;
  readonly kind: string;
}

export interface StorePage {
  put(database: string, ns: StoreNamespace, key: string, text: string): Promise<void>;
  get(database: string, ns: StoreNamespace, key: string): Promise<Outcome<string | undefined>>;
  keys(database: string, ns: StoreNamespace): Promise<string[]>;
  /** A batch whose last write targets an object store that does not exist: nothing of it may land. */
  failingBatch(database: string, key: string, text: string): Promise<Outcome<undefined>>;
  sealingKey(database: string): Promise<SealingKeyReport>;
  rawRecords(database: string): Promise<RawRecord[]>;
  /** Writes `text` with the raw API into a database of its own: the control that plaintext is findable on disk. */
  putPlaintextControl(database: string, text: string): Promise<void>;
  /** Exchanges the raw records of two slots (with the raw API, as someone editing the files would). */
  swapRaw(database: string, a: { ns: StoreNamespace; key: string }, b: { ns: StoreNamespace; key: string }): Promise<void>;
  /** Copies a raw record into the same slot of another database (sealed under that database's key). */
  transplantRaw(from: string, to: string, ns: StoreNamespace, key: string): Promise<void>;
  /** Flips one bit of a raw record's ciphertext. */
  tamperRaw(database: string, ns: StoreNamespace, key: string): Promise<void>;
  /** Two engines, each on its own IndexedDB store, hold a conversation over the memory delivery service. */
  roundTrip(prefix: string, texts: readonly string[]): Promise<{ received: string[]; conversations: string[][] }>;
  /** Wipes a database. */
  deleteDatabase(database: string): Promise<void>;
}

const stores = new Map<string, IndexedDbGroupStateStore>();
const storeFor = (database: string): IndexedDbGroupStateStore => {
  let store = stores.get(database);
  if (store === undefined) {
    store = new IndexedDbGroupStateStore({ databaseName: database });
    stores.set(database, store);
  }
  return store;
};

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('request failed'));
    };
  });
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => {
      resolve();
    };
    transaction.onerror = () => {
      reject(transaction.error ?? new Error('transaction failed'));
    };
    transaction.onabort = () => {
      reject(transaction.error ?? new Error('transaction aborted'));
    };
  });
}

/** Opens an existing database with the raw API, at whatever version it has. */
function openRaw(database: string): Promise<IDBDatabase> {
  return request(indexedDB.open(database));
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function outcomeOf(error: unknown): { ok: false; code: string; message: string } {
  if (isMessagingError(error)) return { ok: false, code: error.code, message: error.message };
  return {
    ok: false,
    code: error instanceof Error ? error.name : 'unknown',
    message: error instanceof Error ? error.message : String(error),
  };
}

const page: StorePage = {
  put: async (database, ns, key, text) => {
    await storeFor(database).write([{ op: 'put', ns, key, value: new TextEncoder().encode(text) }]);
  },
  get: async (database, ns, key) => {
    try {
      const value = await storeFor(database).get(ns, key);
      return { ok: true, value: value === undefined ? undefined : new TextDecoder().decode(value) };
    } catch (error) {
      return outcomeOf(error);
    }
  },
  keys: (database, ns) => storeFor(database).keys(ns),
  failingBatch: async (database, key, text) => {
    try {
      await storeFor(database).write([
        { op: 'put', ns: 'meta', key, value: new TextEncoder().encode(text) },
        { op: 'put', ns: 'no-such-namespace' as StoreNamespace, key, value: new TextEncoder().encode(text) },
      ]);
      return { ok: true, value: undefined };
    } catch (error) {
      return outcomeOf(error);
    }
  },
  sealingKey: async (database) => {
    const db = await openRaw(database);
    try {
      const key: unknown = await request(db.transaction('sealing-key', 'readonly').objectStore('sealing-key').get('aes-256-gcm'));
      if (!(key instanceof CryptoKey)) throw new Error('no CryptoKey is stored');
      const rejects = async (format: 'raw' | 'jwk'): Promise<boolean> =>
        crypto.subtle.exportKey(format, key).then(
          () => false,
          () => true,
        );
      const algorithm = key.algorithm as AesKeyAlgorithm;
      return {
        isCryptoKey: true,
        type: key.type,
        extractable: key.extractable,
        algorithm: algorithm.name,
        length: algorithm.length,
        usages: [...key.usages].sort(),
        exportRejected: { raw: await rejects('raw'), jwk: await rejects('jwk') },
      };
    } finally {
      db.close();
    }
  },
  rawRecords: async (database) => {
    const db = await openRaw(database);
    try {
      const records: RawRecord[] = [];
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, 'readonly').objectStore(name);
        const keys = await request(store.getAllKeys());
        const values: unknown[] = await request(store.getAll());
        keys.forEach((key, index) => {
          const value = values[index];
          records.push({
            store: name,
            key: typeof key === 'string' ? key : JSON.stringify(key),
            base64: value instanceof Uint8Array ? base64(value) : undefined,
            kind: value instanceof Uint8Array ? 'bytes' : value instanceof CryptoKey ? 'CryptoKey' : typeof value,
          });
        });
      }
      return records;
    } finally {
      db.close();
    }
  },
  putPlaintextControl: async (database, text) => {
    const open = indexedDB.open(database, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('plain');
    };
    const db = await request(open);
    const transaction = db.transaction('plain', 'readwrite');
    transaction.objectStore('plain').put(new TextEncoder().encode(text), 'control');
    await done(transaction);
    db.close();
  },
  swapRaw: async (database, a, b) => {
    const db = await openRaw(database);
    try {
      const transaction = db.transaction([...new Set([a.ns, b.ns])], 'readwrite');
      const finished = done(transaction);
      const storeA = transaction.objectStore(a.ns);
      const storeB = transaction.objectStore(b.ns);
      const [recordA, recordB] = await Promise.all([request<unknown>(storeA.get(a.key)), request<unknown>(storeB.get(b.key))]);
      storeA.put(recordB, a.key);
      storeB.put(recordA, b.key);
      await finished;
    } finally {
      db.close();
    }
  },
  transplantRaw: async (from, to, ns, key) => {
    const source = await openRaw(from);
    let record: unknown;
    try {
      record = await request(source.transaction(ns, 'readonly').objectStore(ns).get(key));
    } finally {
      source.close();
    }
    const target = await openRaw(to);
    try {
      const transaction = target.transaction(ns, 'readwrite');
      const finished = done(transaction);
      transaction.objectStore(ns).put(record, key);
      await finished;
    } finally {
      target.close();
    }
  },
  tamperRaw: async (database, ns, key) => {
    const db = await openRaw(database);
    try {
      const transaction = db.transaction(ns, 'readwrite');
      const finished = done(transaction);
      const store = transaction.objectStore(ns);
      const record = (await request(store.get(key))) as Uint8Array;
      const altered = record.slice();
      altered[altered.length - 20] = (altered[altered.length - 20] ?? 0) ^ 1;
      store.put(altered, key);
      await finished;
    } finally {
      db.close();
    }
  },
  roundTrip: async (prefix, texts) => {
    const service = new MemoryDeliveryService();
    const received: string[] = [];
    const engine = (accountId: string, database: string) =>
      createMlsEngine({
        transport: service.transportFor(accountId),
        store: storeFor(database),
        verifier: service.verifier,
        events: {
          onMessage: (message) => {
            if (message.content.type === 'text') received.push(message.content.text);
          },
        },
        keyPackageTarget: 2,
        keyPackageLowWater: 1,
      });
    const patient = await engine(`${prefix}_patient`, `${prefix}-patient`);
    const clinician = await engine(`${prefix}_clinician`, `${prefix}-clinician`);
    await patient.createDevice();
    await clinician.createDevice();
    const groupId = await patient.createConversation([`${prefix}_clinician`]);
    await clinician.receive();
    for (const text of texts) await patient.sendText(groupId, text);
    await clinician.receive();
    if (!(await clinician.conversations()).includes(groupId)) throw new Error('the clinician did not join');
    return { received, conversations: [await patient.conversations(), await clinician.conversations()] };
  },
  deleteDatabase: async (database) => {
    stores.get(database)?.close();
    stores.delete(database);
    await new Promise<void>((resolve, reject) => {
      const deletion = indexedDB.deleteDatabase(database);
      deletion.onsuccess = () => {
        resolve();
      };
      deletion.onerror = () => {
        reject(deletion.error ?? new Error('delete failed'));
      };
    });
  },
};

(globalThis as unknown as { storePage: StorePage }).storePage = page;
