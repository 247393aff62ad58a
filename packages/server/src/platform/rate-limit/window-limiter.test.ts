/**
 * The counters under every abuse limit, in memory and in the real Redis of this run: taking is
 * atomic (a burst never passes more than `max`), a give-back never leaves a window in credit,
 * instances sharing Redis share counts, Redis holds only HMACs of the identifiers, and a Redis
 * outage falls back to per-instance counting instead of failing open.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyRingFile, keyRingFromFile } from '../crypto/index.ts';
import { redisRunUrl } from '../../test-support/databases.ts';
import { createWindowLimiters, type WindowLimiters } from './window-limiter.ts';

const keyRing = () => keyRingFromFile(generateKeyRingFile({ development: false }), `test-${randomBytes(4).toString('hex')}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function behavesAsAWindowCounter(label: string, limiters: () => WindowLimiters): void {
  describe(label, () => {
    it('allows `max` units per window, then refuses with the time left', async () => {
      const limiter = limiters().create(`t-${randomBytes(4).toString('hex')}`, { max: 3, windowSeconds: 60 });
      const taken = [];
      for (let i = 0; i < 4; i += 1) taken.push(await limiter.take('someone'));
      expect(taken.map((t) => t.allowed)).toEqual([true, true, true, false]);
      expect(taken[3]?.retryAfterMs).toBeGreaterThan(55_000);
      expect(await limiter.used('someone')).toBe(4);
      expect((await limiter.take('someone else')).allowed).toBe(true);
    });

    it('lets exactly `max` of a concurrent burst through', async () => {
      const limiter = limiters().create(`t-${randomBytes(4).toString('hex')}`, { max: 5, windowSeconds: 60 });
      const burst = await Promise.all(Array.from({ length: 50 }, () => limiter.take('burst')));
      expect(burst.filter((t) => t.allowed)).toHaveLength(5);
    });

    it('gives units back and forgets keys', async () => {
      const limiter = limiters().create(`t-${randomBytes(4).toString('hex')}`, { max: 2, windowSeconds: 60 });
      await limiter.take('k');
      await limiter.take('k');
      await limiter.giveBack('k');
      expect((await limiter.take('k')).allowed).toBe(true);
      expect((await limiter.take('k')).allowed).toBe(false);
      await limiter.clear('k');
      expect(await limiter.used('k')).toBe(0);
    });

    it('never starts a window in credit when a unit comes back after its window ended', async () => {
      const limiter = limiters().create(`t-${randomBytes(4).toString('hex')}`, { max: 1, windowSeconds: 1 });
      await limiter.take('late');
      await sleep(1100);
      await limiter.giveBack('late');
      expect((await limiter.take('late')).allowed).toBe(true);
      expect((await limiter.take('late')).allowed).toBe(false);
    });
  });
}

behavesAsAWindowCounter('in memory (one instance)', () => createWindowLimiters({ keyRing: keyRing() }));

const redisUrl = redisRunUrl();
describe.runIf(redisUrl !== null)('in Redis (instances sharing it)', () => {
  const clients: Redis[] = [];
  const connect = (url = redisUrl ?? '') => {
    const client = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });
  const shared = keyRing();
  const redis = connect();
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));

  behavesAsAWindowCounter('with one client', () => createWindowLimiters({ keyRing: shared, redis }));

  it('shares counts between instances, and stores HMACs, never the identifiers', async () => {
    await ready;
    const name = `shared-${randomBytes(4).toString('hex')}`;
    const onA = createWindowLimiters({ keyRing: shared, redis }).create(name, { max: 2, windowSeconds: 60 });
    const other = connect();
    await new Promise<void>((resolve) => other.once('ready', () => resolve()));
    const onB = createWindowLimiters({ keyRing: shared, redis: other }).create(name, { max: 2, windowSeconds: 60 });
    const identifier = 'victim@example.test\u0000198.51.100.7';
    expect((await onA.take(identifier)).allowed).toBe(true);
    expect((await onB.take(identifier)).allowed).toBe(true);
    expect((await onA.take(identifier)).allowed).toBe(false);
    const keys = await redis.keys(`portcullis:limit:${name}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toMatch(/victim|example|198\.51/);
    await redis.del(...keys);
  });

  it('keeps limiting per instance while Redis cannot be reached', async () => {
    const unreachable = connect('redis://127.0.0.1:1');
    const limiter = createWindowLimiters({ keyRing: shared, redis: unreachable }).create('outage', { max: 2, windowSeconds: 60 });
    const taken = [];
    for (let i = 0; i < 3; i += 1) taken.push((await limiter.take('during-outage')).allowed);
    expect(taken).toEqual([true, true, false]);
  });
});
