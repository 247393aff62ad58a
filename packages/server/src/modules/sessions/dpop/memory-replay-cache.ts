/**
 * @module modules/sessions/dpop/memory-replay-cache
 *
 * In-process `ReplayCache` for a deployment of one instance (`instances: 1`); with several
 * instances a proof could be replayed against another one, so use the Redis cache there. It is
 * bounded: expired entries are swept from the oldest end on each insert, and when it is full of
 * live entries it refuses with `SERVICE_UNAVAILABLE` rather than evicting a live entry, which
 * would re-open a replay window (fail closed).
 */
import { appError } from '../../../platform/errors/app-error.ts';
import type { ReplayCache } from './replay-cache.ts';

export interface MemoryReplayCacheOptions {
  /**
   * Most ids remembered at once. Size it above peak proofs per second × TTL; the default covers
   * about 1,500 proofs per second with the default 65-second TTL (~15 MB).
   */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

/** Seconds a client is told to wait when the cache is full. */
const RETRY_AFTER_SECONDS = 5;

/**
 * @example
 *   const replayCache = createMemoryReplayCache({ now: clock.now });
 */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): ReplayCache {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new TypeError('createMemoryReplayCache: maxEntries must be a positive integer');
  // id → expiry (ms). Map order is insertion order, and with one TTL that is expiry order, so
  // sweeping from the front stops at the first live entry.
  const entries = new Map<string, number>();

  function sweep(at: number): void {
    for (const [id, expiresAt] of entries) {
      if (expiresAt > at) return;
      entries.delete(id);
    }
  }

  return {
    async markUsed(id, ttlSeconds) {
      if (!(ttlSeconds > 0)) throw new TypeError('markUsed: ttlSeconds must be positive');
      const at = now();
      const expiresAt = entries.get(id);
      if (expiresAt !== undefined && expiresAt > at) return false;
      entries.delete(id);
      sweep(at);
      if (entries.size >= maxEntries) {
        throw appError('SERVICE_UNAVAILABLE', {
          detail: 'DPoP replay cache full',
          headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
        });
      }
      entries.set(id, at + ttlSeconds * 1000);
      return true;
    },
  };
}
