/**
 * @module modules/sessions/dpop/redis-replay-cache
 *
 * `ReplayCache` shared by every instance through Redis: one `SET <key> 1 NX EX <ttl>` per proof,
 * atomic on the server, so concurrent requests on different instances cannot both use a proof.
 * Keys are `portcullis:dpop:jti:<jkt>:<jti>` and expire by themselves. A Redis failure fails
 * closed with `SERVICE_UNAVAILABLE`. Configure the client for the hot path, e.g.
 * `{ maxRetriesPerRequest: 1, enableOfflineQueue: false }`, so an outage fails fast instead of
 * queueing every authenticated request.
 */
import type { Cluster, Redis } from 'ioredis';
import { appError } from '../../../platform/errors/app-error.ts';
import type { ReplayCache } from './replay-cache.ts';

export const REDIS_REPLAY_NAMESPACE = 'portcullis:dpop:jti:';

export interface RedisReplayCacheOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix; tests use a random one. Defaults to `portcullis:dpop:jti:`. */
  readonly namespace?: string;
}

const RETRY_AFTER_SECONDS = 5;

/**
 * @example
 *   const replayCache = createRedisReplayCache({ redis: new Redis(config.redis.url) });
 */
export function createRedisReplayCache(options: RedisReplayCacheOptions): ReplayCache {
  const { redis } = options;
  const namespace = options.namespace ?? REDIS_REPLAY_NAMESPACE;
  return {
    async markUsed(id, ttlSeconds) {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new TypeError('markUsed: ttlSeconds must be a positive integer');
      let reply: 'OK' | null;
      try {
        reply = await redis.set(namespace + id, '1', 'EX', ttlSeconds, 'NX');
      } catch (cause) {
        throw appError('SERVICE_UNAVAILABLE', {
          detail: 'DPoP replay cache (Redis) unreachable',
          headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
          cause,
        });
      }
      return reply === 'OK';
    },
  };
}
