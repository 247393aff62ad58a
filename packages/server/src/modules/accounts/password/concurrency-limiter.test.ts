/**
 * The concurrency limiter behind password hashing: bounded parallelism, FIFO order, a bounded
 * waiting line that refuses at once, and slots that are always given back.
 */
import { describe, expect, it } from 'vitest';
import { createConcurrencyLimiter } from './concurrency-limiter.ts';

class QueueFull extends Error {}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('createConcurrencyLimiter', () => {
  it('runs at most maxConcurrent tasks at once and starts the waiting ones in arrival order', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 2, maxQueued: 10, onQueueFull: () => new QueueFull() });
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await g.promise;
        running--;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    expect(limiter.queued).toBe(4);
    // Finish out of order: the freed slot still goes to the oldest waiter.
    gates[1]!.open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('refuses a task at once, without running it, when maxQueued tasks already wait', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 2, onQueueFull: () => new QueueFull('full') });
    const g = gate();
    const accepted = [1, 2, 3].map(() => limiter.run(() => g.promise));
    let ran = false;
    await expect(
      limiter.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(QueueFull);
    expect(ran).toBe(false);
    g.open();
    await Promise.all(accepted);
    // Once the line has drained, tasks are accepted again.
    await expect(limiter.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('gives the slot back when a task fails, so failures cannot leak capacity', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 0, onQueueFull: () => new QueueFull() });
    for (let i = 0; i < 3; i++) {
      await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      await expect(
        limiter.run(() => {
          throw new Error('sync boom');
        }),
      ).rejects.toThrow('sync boom');
    }
    expect(limiter.active).toBe(0);
    await expect(limiter.run(async () => 1)).resolves.toBe(1);
  });

  it('refuses nonsensical bounds with TypeError', () => {
    expect(() => createConcurrencyLimiter({ maxConcurrent: 0, maxQueued: 1, onQueueFull: () => new QueueFull() })).toThrow(TypeError);
    expect(() => createConcurrencyLimiter({ maxConcurrent: 1, maxQueued: -1, onQueueFull: () => new QueueFull() })).toThrow(TypeError);
  });
});
