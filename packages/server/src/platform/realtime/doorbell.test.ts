/**
 * The doorbell wakes listeners of a channel and no one else: in memory for one instance, and
 * across instances through the real Redis (two doorbells on separate connections stand for two
 * server processes). Stopping a listener stops its wake-ups; a ring nobody hears is harmless.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisRunUrl } from '../../test-support/databases.ts';
import { createMemoryDoorbell, createRedisDoorbell, type Doorbell } from './doorbell.ts';

const redisUrl = redisRunUrl();

function rings(
  doorbell: Doorbell,
  channel: string,
): { count: () => number; next: () => Promise<void>; stop: () => void; ready: Promise<void> } {
  let count = 0;
  let waiting: (() => void) | undefined;
  const listening = doorbell.listen(channel, () => {
    count += 1;
    waiting?.();
  });
  return {
    count: () => count,
    next: () => new Promise<void>((resolve) => (waiting = resolve)),
    stop: () => listening.stop(),
    ready: listening.ready,
  };
}

const settle = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('memory doorbell', () => {
  it('wakes the listeners of the rung channel only, until they stop', async () => {
    const doorbell = createMemoryDoorbell();
    const a = rings(doorbell, 'dev_a');
    const b = rings(doorbell, 'dev_b');
    await doorbell.ring('dev_a');
    await settle(0);
    expect([a.count(), b.count()]).toEqual([1, 0]);
    a.stop();
    a.stop();
    await doorbell.ring('dev_a');
    await settle(0);
    expect(a.count()).toBe(1);
    expect(doorbell.listeners()).toBe(1);
    b.stop();
    expect(doorbell.listeners()).toBe(0);
  });
});

describe.runIf(redisUrl !== null)('Redis doorbell across two instances', () => {
  const namespace = `test:${randomBytes(6).toString('hex')}:ring:`;
  const connections: Redis[] = [];
  const doorbells: Doorbell[] = [];
  const instance = (): Doorbell => {
    const redis = new Redis(redisUrl ?? '', { maxRetriesPerRequest: 1 });
    connections.push(redis);
    const doorbell = createRedisDoorbell({ redis, namespace });
    doorbells.push(doorbell);
    return doorbell;
  };
  afterAll(async () => {
    for (const doorbell of doorbells) await doorbell.close();
    for (const redis of connections) await redis.quit();
  });

  it('a ring on instance A wakes a listener on instance B, and only for its channel', async () => {
    const a = instance();
    const b = instance();
    const onB = rings(b, 'dev_1');
    const other = rings(b, 'dev_2');
    await onB.ready;
    await other.ready;
    const woken = onB.next();
    await a.ring('dev_1');
    await woken;
    await settle();
    expect([onB.count(), other.count()]).toEqual([1, 0]);
  });

  it('after the last listener of a channel stops, its rings no longer arrive', async () => {
    const a = instance();
    const b = instance();
    const first = rings(b, 'dev_3');
    const second = rings(b, 'dev_3');
    await first.ready;
    await second.ready;
    first.stop();
    const woken = second.next();
    await a.ring('dev_3');
    await woken;
    second.stop();
    await settle();
    await a.ring('dev_3');
    await settle();
    expect([first.count(), second.count()]).toEqual([0, 1]);
    expect(b.listeners()).toBe(0);
  });

  it('a ring that cannot be published is reported, never thrown (the write it announces is already stored)', async () => {
    const redis = new Redis(redisUrl ?? '', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    const errors: unknown[] = [];
    const doorbell = createRedisDoorbell({ redis, namespace, onError: (error) => errors.push(error) });
    await expect(doorbell.ring('dev_4')).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    redis.disconnect();
  });
});
