/**
 * @module modules/defense/attack-mode-store
 *
 * Where attack mode keeps its deployment-wide counts and its episode (attack-mode.ts): in
 * process memory for one instance, in Redis when instances share it. Counts are kept in time
 * buckets named by the caller from the injected clock, so the window is the same on every
 * instance and tests can move time; Redis expiry (real time) only collects old buckets. The
 * episode (when attack mode started and when it ends) changes only through set-if-absent and
 * compare-and-set scripts, so of two instances seeing the same wave exactly one starts it and
 * exactly one ends it, and only that one writes the audit event.
 *
 * Keys hold no personal data: the counts are for the whole deployment. Their prefix is derived
 * from the key ring, so two deployments (or two test runs) sharing one Redis do not mix. When
 * Redis fails, each instance carries on with its own memory store (the detector keeps working
 * per instance rather than failing sign-ins or switching off).
 */
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyRing } from '../../platform/crypto/index.ts';

export interface Counts {
  readonly attempts: number;
  readonly failures: number;
}

/** One attack-mode episode: when it started, and when it ends unless the wave is seen again. */
export interface Episode {
  readonly since: number;
  readonly until: number;
}

export interface Bucket {
  readonly key: string;
  /** How long the bucket is worth keeping (it is read for no longer than this). */
  readonly ttlMs: number;
}

export interface AttackModeStore {
  /** Adds one outcome to each bucket. */
  add(buckets: readonly Bucket[], failure: boolean, now: number): Promise<void>;
  /** The summed counts of the named buckets (a missing bucket counts zero). */
  sum(keys: readonly string[]): Promise<Counts>;
  /** The recorded episode, running or past its end but not yet ended. */
  episode(): Promise<Episode | undefined>;
  /** Records `episode` unless one is recorded already: true for the one caller that started it. */
  start(episode: Episode): Promise<boolean>;
  /** Moves the end of episode `since` to `until` if that is later; false when it is not running at `now`. */
  extend(since: number, until: number, now: number): Promise<boolean>;
  /** Removes episode `since` if its end is past at `now`: true for the one caller that ended it. */
  end(since: number, now: number): Promise<boolean>;
}

const ZERO: Counts = { attempts: 0, failures: 0 };

export function createMemoryAttackModeStore(): AttackModeStore {
  const buckets = new Map<string, { attempts: number; failures: number; expiresAt: number }>();
  let current: Episode | undefined;
  return {
    async add(names, failure, now) {
      for (const [key, bucket] of buckets) if (bucket.expiresAt <= now) buckets.delete(key);
      for (const { key, ttlMs } of names) {
        const bucket = buckets.get(key) ?? { attempts: 0, failures: 0, expiresAt: now + ttlMs };
        bucket.attempts += 1;
        if (failure) bucket.failures += 1;
        buckets.set(key, bucket);
      }
    },
    async sum(keys) {
      return keys.reduce((total, key) => {
        const bucket = buckets.get(key);
        return bucket ? { attempts: total.attempts + bucket.attempts, failures: total.failures + bucket.failures } : total;
      }, ZERO);
    },
    async episode() {
      return current;
    },
    async start(episode) {
      if (current) return false;
      current = episode;
      return true;
    },
    async extend(since, until, now) {
      if (current?.since !== since || current.until <= now) return false;
      if (until > current.until) current = { since, until };
      return true;
    },
    async end(since, now) {
      if (current?.since !== since || current.until > now) return false;
      current = undefined;
      return true;
    },
  };
}

// Atomic on the Redis server: the episode hash is created only when absent, extended only while
// it runs, and removed only by the caller that finds it still the same episode and past its end.
// Its expiry (real time, a day past its end) only collects an episode nobody looked at again.
const START = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'since', ARGV[1], 'until', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;
const EXTEND = `local since = redis.call('HGET', KEYS[1], 'since')
local till = tonumber(redis.call('HGET', KEYS[1], 'until'))
if since ~= ARGV[1] or till == nil or till <= tonumber(ARGV[3]) then return 0 end
if tonumber(ARGV[2]) > till then
  redis.call('HSET', KEYS[1], 'until', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1`;
const EPISODE_KEPT_MS = 24 * 3_600_000;
const END = `local since = redis.call('HGET', KEYS[1], 'since')
local till = tonumber(redis.call('HGET', KEYS[1], 'until'))
if since ~= ARGV[1] or till == nil or till > tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** Pipeline results carry errors instead of rejecting; a failed command must reach the fallback. */
function resultsOf(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('attack-mode store: Redis transaction aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

const count = (value: unknown): number => (typeof value === 'string' ? Number(value) || 0 : 0);

/** The key prefix of this deployment: an HMAC under the key ring, so deployments sharing Redis stay apart. */
export function attackModeNamespace(keyRing: KeyRing): string {
  const id = createHmac('sha256', keyRing.key('code-hmac')).update('portcullis attack-mode namespace v1').digest('base64url').slice(0, 16);
  return `portcullis:attack-mode:${id}:`;
}

export function createRedisAttackModeStore(redis: Redis, namespace: string): AttackModeStore {
  const episodeKey = `${namespace}episode`;
  return {
    async add(names, failure) {
      const pipeline = redis.pipeline();
      for (const { key, ttlMs } of names) {
        pipeline.hincrby(namespace + key, 'a', 1);
        if (failure) pipeline.hincrby(namespace + key, 'f', 1);
        pipeline.pexpire(namespace + key, ttlMs);
      }
      resultsOf(await pipeline.exec());
    },
    async sum(keys) {
      if (keys.length === 0) return ZERO;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(namespace + key, 'a', 'f');
      return resultsOf(await pipeline.exec()).reduce<Counts>((total, reply) => {
        const [attempts, failures] = Array.isArray(reply) ? (reply as unknown[]) : [];
        return { attempts: total.attempts + count(attempts), failures: total.failures + count(failures) };
      }, ZERO);
    },
    async episode() {
      const [since, until] = await redis.hmget(episodeKey, 'since', 'until');
      if (since == null || until == null) return undefined;
      return { since: Number(since), until: Number(until) };
    },
    async start(episode) {
      const keepMs = episode.until - episode.since + EPISODE_KEPT_MS;
      return (await redis.eval(START, 1, episodeKey, String(episode.since), String(episode.until), String(keepMs))) === 1;
    },
    async extend(since, until, now) {
      const keepMs = until - now + EPISODE_KEPT_MS;
      return (await redis.eval(EXTEND, 1, episodeKey, String(since), String(until), String(now), String(keepMs))) === 1;
    },
    async end(since, now) {
      return (await redis.eval(END, 1, episodeKey, String(since), String(now))) === 1;
    },
  };
}

/** `primary` (Redis) while it answers; this instance's own memory store for any call it fails. */
export function withFallback(primary: AttackModeStore, fallback: AttackModeStore): AttackModeStore {
  async function either<R>(call: (store: AttackModeStore) => Promise<R>): Promise<R> {
    try {
      return await call(primary);
    } catch {
      return call(fallback);
    }
  }
  return {
    add: (buckets, failure, now) => either((store) => store.add(buckets, failure, now)),
    sum: (keys) => either((store) => store.sum(keys)),
    episode: () => either((store) => store.episode()),
    start: (episode) => either((store) => store.start(episode)),
    extend: (since, until, now) => either((store) => store.extend(since, until, now)),
    end: (since, now) => either((store) => store.end(since, now)),
  };
}
