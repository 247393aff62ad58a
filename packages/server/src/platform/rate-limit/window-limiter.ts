/**
 * @module platform/rate-limit/window-limiter
 *
 * Fixed-window counters for abuse limits, on rate-limiter-flexible: in process memory for one
 * instance, in Redis when instances share it (SPEC component table). Every key is an HMAC of the
 * identifier under a server key, so neither Redis nor a memory dump holds addresses or IPs.
 *
 * A unit is *taken* before the work it guards and may be *given back* afterwards (a sign-in that
 * succeeded). Because taking is one atomic increment, a burst of parallel requests can never pass
 * more often than the limit, whatever order they finish in. When Redis fails, an in-process
 * limiter with the same settings takes over (rate-limiter-flexible's insurance limiter): limits
 * keep holding per instance instead of failing open or refusing everyone.
 */
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeyRing } from '../crypto/index.ts';

export interface WindowLimit {
  /** Units a key may take per window. */
  readonly max: number;
  readonly windowSeconds: number;
}

export interface Taken {
  /** False when this unit went over the limit; it still counts until given back. */
  readonly allowed: boolean;
  /** Units taken in the current window, this one included. */
  readonly used: number;
  /** Until the window ends. */
  readonly retryAfterMs: number;
}

export interface WindowLimiter {
  readonly limit: WindowLimit;
  take(identifier: string): Promise<Taken>;
  /** Units taken in the current window (0 when none). */
  used(identifier: string): Promise<number>;
  giveBack(identifier: string): Promise<void>;
  /** Forgets the key: its next window starts empty. */
  clear(identifier: string): Promise<void>;
}

export interface WindowLimiters {
  /** `name` separates the counters of different limits; it must be unique per limit. */
  create(name: string, limit: WindowLimit): WindowLimiter;
}

/** Derives the key that hides identifiers, so no other purpose's HMACs can collide with ours. */
function identifierHasher(keyRing: KeyRing): (name: string, identifier: string) => string {
  const key = createHmac('sha256', keyRing.key('code-hmac')).update('portcullis rate-limit identifiers v1').digest();
  return (name, identifier) => createHmac('sha256', key).update(name).update('\0').update(identifier).digest('base64url').slice(0, 27);
}

function storeFor(name: string, limit: WindowLimit, redis: Redis | undefined): RateLimiterAbstract {
  const options = { keyPrefix: `portcullis:limit:${name}`, points: limit.max, duration: limit.windowSeconds };
  const memory = new RateLimiterMemory(options);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

export function createWindowLimiters(deps: { readonly keyRing: KeyRing; readonly redis?: Redis | undefined }): WindowLimiters {
  const hash = identifierHasher(deps.keyRing);
  return {
    create(name, limit) {
      const store = storeFor(name, limit, deps.redis);
      const key = (identifier: string) => hash(name, identifier);
      return {
        limit,
        async take(identifier) {
          try {
            const res = await store.consume(key(identifier));
            return { allowed: true, used: res.consumedPoints, retryAfterMs: res.msBeforeNext };
          } catch (refusal) {
            // rate-limiter-flexible rejects with its result object when over the limit; anything
            // else is a store failure the insurance limiter could not absorb: a bug, so it propagates.
            if (!(refusal instanceof RateLimiterRes)) throw refusal;
            return { allowed: false, used: refusal.consumedPoints, retryAfterMs: refusal.msBeforeNext };
          }
        },
        async used(identifier) {
          return (await store.get(key(identifier)))?.consumedPoints ?? 0;
        },
        async giveBack(identifier) {
          const res = await store.reward(key(identifier), 1);
          // A window that ended between take and give-back must not start the next one in credit.
          if (res.consumedPoints < 0) await store.delete(key(identifier));
        },
        async clear(identifier) {
          await store.delete(key(identifier));
        },
      };
    },
  };
}
