/**
 * Redis replay cache against the real Redis (127.0.0.1:6379, or PORTCULLIS_TEST_REDIS_URL):
 * `SET NX EX` gives exactly one first use across concurrent callers and instances, keys are
 * namespaced `portcullis:dpop:jti:<jkt>:<jti>` and expire after the TTL, and an unreachable
 * Redis fails closed. With CI=true an unreachable Redis fails the suite; elsewhere it is skipped
 * with a loud message.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../platform/errors/app-error.ts';
import { REDIS_REPLAY_NAMESPACE, createRedisReplayCache } from './redis-replay-cache.ts';
import { buildHtu } from './htu.ts';
import { createTestDPoPVerifier, generateTestDPoPKey, signTestProof } from '../../../test-support/dpop-proof.ts';

const REDIS_URL = process.env['PORTCULLIS_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:${randomBytes(8).toString('hex')}:`;
const NAMESPACE = `${PREFIX}${REDIS_REPLAY_NAMESPACE}`;

const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
// Connection failures surface through the awaited commands; the event would only add noise.
redis.on('error', () => undefined);
let reachable = true;
try {
  await redis.connect();
  await redis.ping();
} catch (error) {
  reachable = false;
  const reason = error instanceof Error ? error.message : String(error);
  if (process.env['CI'] === 'true') throw new Error(`Redis is required in CI but cannot be reached at ${REDIS_URL}: ${reason}`);
  process.stderr.write(
    `\n*** Redis unreachable at ${REDIS_URL} (${reason}): the Redis DPoP replay-cache tests are SKIPPED. Start Redis on 127.0.0.1:6379. ***\n\n`,
  );
  redis.disconnect();
}

describe.runIf(reachable)('Redis replay cache', () => {
  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('answers true on first use and false on replay, under the namespaced key with the TTL', async () => {
    const cache = createRedisReplayCache({ redis, namespace: NAMESPACE });
    expect(await cache.markUsed('jkt1:jti-0123456789abcdef', 65)).toBe(true);
    expect(await cache.markUsed('jkt1:jti-0123456789abcdef', 65)).toBe(false);
    const ttl = await redis.ttl(`${PREFIX}portcullis:dpop:jti:jkt1:jti-0123456789abcdef`);
    expect(ttl).toBeGreaterThan(60);
    expect(ttl).toBeLessThanOrEqual(65);
  });

  it('forgets an id once its TTL has passed', async () => {
    const cache = createRedisReplayCache({ redis, namespace: NAMESPACE });
    expect(await cache.markUsed('expiring', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await cache.markUsed('expiring', 1)).toBe(true);
  });

  it('of 20 concurrent verifications of one proof on two instances, exactly one succeeds', async () => {
    const replayCache = createRedisReplayCache({ redis, namespace: NAMESPACE });
    const a = createTestDPoPVerifier({ replayCache, config: { nonce: { enabled: false } } });
    const b = createTestDPoPVerifier({ replayCache, clock: a.clock, config: { nonce: { enabled: false } } });
    const htu = buildHtu('https://api.example.test', '/v1/me');
    const proof = signTestProof(generateTestDPoPKey(), { htu, now: a.clock.now() });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).verifier.verify(proof, { method: 'GET', htu })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').map((result) => (result.reason as { detail: string }).detail)).toEqual(
      Array.from({ length: 19 }, () => 'jti replayed'),
    );
  });

  it('fails closed with SERVICE_UNAVAILABLE when Redis cannot be reached', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    const cache = createRedisReplayCache({ redis: down, namespace: NAMESPACE });
    const error = await cache.markUsed('x', 65).catch((caught: unknown) => caught);
    expect(isAppError(error) && [error.code, error.detail]).toEqual(['SERVICE_UNAVAILABLE', 'DPoP replay cache (Redis) unreachable']);
    down.disconnect();
  });

  it('refuses a non-integer TTL (misuse)', async () => {
    await expect(createRedisReplayCache({ redis, namespace: NAMESPACE }).markUsed('x', 1.5)).rejects.toThrow(TypeError);
  });
});
