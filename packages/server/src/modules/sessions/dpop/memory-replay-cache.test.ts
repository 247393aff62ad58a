/**
 * In-memory replay cache: first use only, remembered for at least the TTL (at most twice it),
 * bounded memory, and fail-closed when full of live entries (a live entry is never evicted,
 * which would re-open a replay window).
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

  it('remembers an id for at least its TTL, wherever in a generation it arrived, and forgets it within twice the TTL', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ now: clock.now });
    await cache.markUsed('early', 65);
    clock.advance(65_000 - 1);
    await cache.markUsed('late', 65); // the last moment of the first generation
    expect(await cache.markUsed('early', 65)).toBe(false);
    clock.advance(1); // a new generation begins
    expect(await cache.markUsed('early', 65)).toBe(false);
    clock.advance(65_000 - 2);
    expect(await cache.markUsed('late', 65)).toBe(false); // 65 s - 1 ms after it arrived
    clock.advance(2 * 65_000);
    expect(await cache.markUsed('early', 65)).toBe(true);
    expect(await cache.markUsed('late', 65)).toBe(true);
  });

  it('frees expired entries to make room', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ maxEntries: 2, now: clock.now });
    await cache.markUsed('a', 10);
    await cache.markUsed('b', 10);
    clock.advance(2 * 10_000);
    expect(await cache.markUsed('c', 10)).toBe(true);
    expect(await cache.markUsed('d', 10)).toBe(true);
  });

  it('keeps 200,000 distinct ids apart: each is accepted once and refused after', async () => {
    const clock = createTestClock();
    const cache = createMemoryReplayCache({ now: clock.now });
    const ids = Array.from({ length: 200_000 }, (_, i) => `jkt:${i}`);
    let first = 0;
    for (const id of ids) if (await cache.markUsed(id, 65)) first += 1;
    let again = 0;
    for (const id of ids) if (await cache.markUsed(id, 65)) again += 1;
    expect([first, again]).toEqual([200_000, 0]);
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
