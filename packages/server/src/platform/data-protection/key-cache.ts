/**
 * @module platform/data-protection/key-cache
 *
 * Unwrapped data keys held in memory, bounded in number (least recently used goes first) and in
 * time (an entry older than the TTL is unwrapped again), so that a read does not ask the key
 * service every time while an erased or rotated key does not linger for ever in a process that
 * did not see the erasure. Counts hits and misses for the benchmark and metrics.
 */

export interface CachedDataKey {
  readonly key: Buffer;
  /** The wrapped form the key was unwrapped from: a row that changed (re-created) misses. */
  readonly wrapped: string;
}

export interface KeyCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

export interface KeyCache {
  get(id: string): CachedDataKey | undefined;
  set(id: string, entry: CachedDataKey): void;
  /** Forgets every entry whose id starts with `prefix` (one subject's keys). */
  evictPrefix(prefix: string): void;
  stats(): KeyCacheStats;
}

export function createKeyCache(options: { maxKeys: number; ttlMs: number; now: () => number }): KeyCache {
  const entries = new Map<string, CachedDataKey & { readonly expiresAt: number }>();
  let hits = 0;
  let misses = 0;
  return {
    get(id) {
      const entry = entries.get(id);
      if (!entry || entry.expiresAt <= options.now()) {
        if (entry) entries.delete(id);
        misses++;
        return undefined;
      }
      // Map keeps insertion order: re-inserting makes this the most recently used.
      entries.delete(id);
      entries.set(id, entry);
      hits++;
      return entry;
    },
    set(id, entry) {
      if (options.maxKeys <= 0) return;
      entries.delete(id);
      entries.set(id, { ...entry, expiresAt: options.now() + options.ttlMs });
      while (entries.size > options.maxKeys) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    evictPrefix(prefix) {
      for (const id of [...entries.keys()]) if (id.startsWith(prefix)) entries.delete(id);
    },
    stats: () => ({ hits, misses, size: entries.size }),
  };
}
