/**
 * In-memory replay cache: first use only, expiry after the TTL, bounded memory, and fail-closed
 * when full of live entries (a live entry is never evicted, which would re-open a replay window).
 */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../platform/errors/app-error.ts';
import { createMemoryReplayCache } from './memory-replay-cache.ts';
import { createTestClock } from '../../../test-support/dpop-proof.ts';

describe('memory replay cache', () => {
  it('answers true on first use and false while the id is remembered', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ now: clock.now });
    expect(await cache.markUsed('a', 65)).toBe(true);
    expect(await cache.markUsed('a', 65)).toBe(false);
    expect(await cache.markUsed('b', 65)).toBe(true);
  });

  it('forgets an id after its TTL', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ now: clock.now });
    await cache.markUsed('a', 65);
    clock.advance(65_000 - 1);
    expect(await cache.markUsed('a', 65)).toBe(false);
    clock.advance(1);
    expect(await cache.markUsed('a', 65)).toBe(true);
  });

  it('frees expired entries to make room', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ maxEntries: 2, now: clock.now });
    await cache.markUsed('a', 10);
    await cache.markUsed('b', 10);
    clock.advance(10_000);
    expect(await cache.markUsed('c', 10)).toBe(true);
    expect(await cache.markUsed('d', 10)).toBe(true);
  });

  it('fails closed with SERVICE_UNAVAILABLE when full of live entries, and never forgets one', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ maxEntries: 2, now: clock.now });
    await cache.markUsed('a', 10);
    await cache.markUsed('b', 10);
    const error = await cache.markUsed('c', 10).catch((caught: unknown) => caught);
    expect(isAppError(error) && [error.code, error.detail, error.headers['retry-after']]).toEqual([
      'SERVICE_UNAVAILABLE',
      'DPoP replay cache full',
      '5',
    ]);
    expect(await cache.markUsed('a', 10)).toBe(false);
    expect(await cache.markUsed('b', 10)).toBe(false);
  });

  it('of 20 concurrent calls with one id, exactly one gets true', async () => {
    const cache = createMemoryReplayCache();
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.markUsed('same', 65)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses invalid sizes and TTLs (misuse)', async () => {
    expect(() => createMemoryReplayCache({ maxEntries: 0 })).toThrow(TypeError);
    await expect(createMemoryReplayCache().markUsed('a', 0)).rejects.toThrow(TypeError);
  });
});
