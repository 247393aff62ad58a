/**
 * The group-commit barrier: nothing counts as durable before a flush that began after it
 * committed, a burst of commits shares flushes, and one failed flush stops every later
 * acknowledgement.
 */
import { describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from './availability.ts';
import { createCommitBarrier } from './commit-barrier.ts';

/** A flush that completes only when the test says so. */
function gatedFlush() {
  const gates: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const flush = vi.fn(
    () =>
      new Promise<void>((resolve, reject) => {
        gates.push({ resolve, reject });
      }),
  );
  const settle = async (index: number, error?: Error): Promise<void> => {
    const gate = gates[index];
    if (!gate) throw new Error(`flush ${index} has not started`);
    if (error) gate.reject(error);
    else gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { flush, settle };
}

async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('commit barrier', () => {
  it('is durable at once when nothing was committed, without flushing', async () => {
    const { flush } = gatedFlush();
    const barrier = createCommitBarrier({ flush });
    expect(barrier.isDurable()).toBe(true);
    await barrier.durable();
    expect(flush).not.toHaveBeenCalled();
  });

  it('starts a flush on commit and resolves only once it completes', async () => {
    const { flush, settle } = gatedFlush();
    const barrier = createCommitBarrier({ flush });
    barrier.noteCommit();
    expect(flush).toHaveBeenCalledTimes(1);
    expect(barrier.isDurable()).toBe(false);
    const waiting = barrier.durable();
    expect(await isSettled(waiting)).toBe(false);
    await settle(0);
    expect(await isSettled(waiting)).toBe(true);
    expect(barrier.isDurable()).toBe(true);
  });

  it('does not count a flush that began before the commit', async () => {
    const { flush, settle } = gatedFlush();
    const barrier = createCommitBarrier({ flush });
    barrier.noteCommit(); // flush 0 starts
    barrier.noteCommit(); // lands while flush 0 runs: flush 0 may not contain it
    const second = barrier.durable();
    await settle(0);
    expect(await isSettled(second)).toBe(false);
    expect(flush).toHaveBeenCalledTimes(2);
    await settle(1);
    expect(await isSettled(second)).toBe(true);
  });

  it('makes a burst of commits share flushes', async () => {
    const { flush, settle } = gatedFlush();
    const barrier = createCommitBarrier({ flush });
    const waits: Array<Promise<void>> = [];
    for (let i = 0; i < 100; i += 1) {
      barrier.noteCommit();
      waits.push(barrier.durable());
    }
    await settle(0);
    await settle(1);
    await Promise.all(waits);
    expect(flush).toHaveBeenCalledTimes(2);
  });

  it('never acknowledges again after a failed flush, even when a later flush would succeed', async () => {
    const { flush, settle } = gatedFlush();
    const onFailure = vi.fn();
    const barrier = createCommitBarrier({ flush, onFailure });
    barrier.noteCommit();
    const first = barrier.durable().catch((error: unknown) => error);
    await settle(0, Object.assign(new Error('EIO'), { code: 'EIO' }));
    expect(await first).toBeInstanceOf(DatabaseUnavailableError);
    barrier.noteCommit();
    await expect(barrier.durable()).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(flush).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it('flushes what is pending before releasing on close', async () => {
    const { flush, settle } = gatedFlush();
    const release = vi.fn(() => Promise.resolve());
    const barrier = createCommitBarrier({ flush, release });
    barrier.noteCommit();
    const closing = barrier.close();
    expect(await isSettled(closing)).toBe(false);
    expect(release).not.toHaveBeenCalled();
    await settle(0);
    await closing;
    expect(release).toHaveBeenCalledTimes(1);
  });
});
