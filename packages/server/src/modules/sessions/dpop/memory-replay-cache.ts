/**
 * @module modules/sessions/dpop/memory-replay-cache
 *
 * In-process `ReplayCache` for a deployment of one instance (`instances: 1`); with several
 * instances a proof could be replayed against another one, so use the Redis cache there.
 *
 * Every authenticated request adds an entry, so the cost per entry decides how many requests
 * per second one instance can take. Ids are not kept: each is reduced to a 64-bit digest
 * (SHA-256 under a per-process random salt, so nobody can aim ids at one slot of the table)
 * stored in flat typed arrays, 16–32 bytes per entry instead of ~150 for a string in a Map.
 * Two digests of different ids are equal with probability 2^-64 per pair; the effect would be
 * one fresh proof refused as a replay, never a replay accepted.
 *
 * Expiry works by generations instead of per entry: new ids go into the current generation;
 * when it is one TTL old it becomes the previous one and the one before is dropped whole. An id
 * is therefore remembered for at least its TTL and at most twice that, which only makes replay
 * protection longer. It is bounded: when both generations together hold `maxEntries` ids it
 * refuses with `SERVICE_UNAVAILABLE` rather than forgetting a live entry, which would re-open a
 * replay window (fail closed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { appError } from '../../../platform/errors/app-error.ts';
import type { ReplayCache } from './replay-cache.ts';

export interface MemoryReplayCacheOptions {
  /**
   * Most ids remembered at once. Size it above peak proofs per second × twice the TTL; the
   * default covers about 7,500 proofs per second with the default 65-second TTL, in at most
   * 32 MB.
   */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

export const DEFAULT_REPLAY_CACHE_ENTRIES = 1_000_000;

/** Seconds a client is told to wait when the cache is full. */
const RETRY_AFTER_SECONDS = 5;

const INITIAL_SLOTS = 1024;

/**
 * An insert-only open-addressing set of 64-bit digests (two 32-bit halves per slot, linear
 * probing, at most half full). Slot value 0:0 means empty; digests never have it (see `digest`).
 */
class DigestSet {
  #slots = new Uint32Array(INITIAL_SLOTS * 2);
  #mask = INITIAL_SLOTS - 1;
  size = 0;

  has(high: number, low: number): boolean {
    const slots = this.#slots;
    for (let i = low & this.#mask; ; i = (i + 1) & this.#mask) {
      const h = slots[i * 2];
      if (h === high && slots[i * 2 + 1] === low) return true;
      if (h === 0) return false;
    }
  }

  add(high: number, low: number): void {
    if ((this.size + 1) * 2 > this.#mask + 1) this.#grow();
    this.#place(this.#slots, this.#mask, high, low);
    this.size += 1;
  }

  #place(slots: Uint32Array, mask: number, high: number, low: number): void {
    let i = low & mask;
    while (slots[i * 2] !== 0) i = (i + 1) & mask;
    slots[i * 2] = high;
    slots[i * 2 + 1] = low;
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Uint32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const high = old[i] as number;
      if (high !== 0) this.#place(slots, mask, high, old[i + 1] as number);
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/**
 * @example
 *   const replayCache = createMemoryReplayCache({ now: clock.now });
 */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): ReplayCache {
  const maxEntries = options.maxEntries ?? DEFAULT_REPLAY_CACHE_ENTRIES;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new TypeError('createMemoryReplayCache: maxEntries must be a positive integer');
  const salt = randomBytes(16);
  let current = new DigestSet();
  let previous = new DigestSet();
  let generationStart = now();
  let generationMs = 0; // the longest TTL asked for so far

  function digest(id: string): [high: number, low: number] {
    const bytes = createHash('sha256').update(salt).update(id).digest();
    // The top bit set keeps every digest apart from the empty slot 0:0.
    return [(bytes.readUInt32BE(0) | 0x80000000) >>> 0, bytes.readUInt32BE(4)];
  }

  function rotate(at: number): void {
    const age = at - generationStart;
    if (age < generationMs) return;
    previous = age < 2 * generationMs ? current : new DigestSet();
    current = new DigestSet();
    generationStart = at;
  }

  return {
    async markUsed(id, ttlSeconds) {
      if (!(ttlSeconds > 0)) throw new TypeError('markUsed: ttlSeconds must be positive');
      const at = now();
      generationMs = Math.max(generationMs, ttlSeconds * 1000);
      rotate(at);
      const [high, low] = digest(id);
      if (current.has(high, low) || previous.has(high, low)) return false;
      if (current.size + previous.size >= maxEntries) {
        throw appError('SERVICE_UNAVAILABLE', {
          detail: 'DPoP replay cache full',
          headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
        });
      }
      current.add(high, low);
      return true;
    },
  };
}
