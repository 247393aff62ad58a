/**
 * @module messaging/group-state-store
 *
 * Where the engine keeps what a device must remember between runs: its identity key, the
 * private halves of the KeyPackages it published, each conversation's MLS group state, and its
 * mailbox position. Values are opaque bytes in four namespaces; a batch of writes is applied
 * all or nothing, so a group state and the mailbox position that produced it never drift
 * apart. A `put` replaces the previous value: no old group state (and so no old epoch secret)
 * is kept beside the new one.
 *
 * The values hold secrets. Use storage that only this app can read (IndexedDB of the app's
 * origin, the platform's secure storage on React Native).
 */

/** The namespaces of a {@link GroupStateStore}. */
export type StoreNamespace = 'device' | 'groups' | 'keyPackages' | 'meta';

/** The namespaces, for implementations that create one table per namespace. */
export const STORE_NAMESPACES: readonly StoreNamespace[] = Object.freeze(['device', 'groups', 'keyPackages', 'meta']);

/** One write of a batch. */
export type StoreWrite =
  | { readonly op: 'put'; readonly ns: StoreNamespace; readonly key: string; readonly value: Uint8Array }
  | { readonly op: 'delete'; readonly ns: StoreNamespace; readonly key: string };

/** Persistent state of one messaging device. */
export interface GroupStateStore {
  /** The value under `key`, or `undefined`. The caller owns the returned bytes. */
  get(ns: StoreNamespace, key: string): Promise<Uint8Array | undefined>;
  /** Every key of a namespace. */
  keys(ns: StoreNamespace): Promise<string[]>;
  /** Applies every write, or none (a failure rejects and leaves the store as it was). */
  write(batch: readonly StoreWrite[]): Promise<void>;
}

/**
 * A store that lives as long as the object: for tests, and for apps that deliberately keep no
 * conversation across restarts. Values are copied in and out, and overwritten values are
 * zeroed (best effort: a JavaScript engine may hold other copies).
 */
export class MemoryGroupStateStore implements GroupStateStore {
  readonly #data = new Map<StoreNamespace, Map<string, Uint8Array>>();

  async get(ns: StoreNamespace, key: string): Promise<Uint8Array | undefined> {
    const value = this.#data.get(ns)?.get(key);
    return value === undefined ? undefined : value.slice();
  }

  async keys(ns: StoreNamespace): Promise<string[]> {
    return [...(this.#data.get(ns)?.keys() ?? [])];
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    for (const write of batch) {
      let table = this.#data.get(write.ns);
      if (table === undefined) {
        table = new Map();
        this.#data.set(write.ns, table);
      }
      table.get(write.key)?.fill(0);
      if (write.op === 'put') table.set(write.key, write.value.slice());
      else table.delete(write.key);
    }
  }
}
