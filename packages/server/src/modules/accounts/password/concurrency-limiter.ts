/**
 * @module modules/accounts/password/concurrency-limiter
 *
 * A counting semaphore with a bounded FIFO waiting line. It lets at most `maxConcurrent` tasks
 * run at once; later tasks wait in arrival order; when `maxQueued` tasks are already waiting,
 * a new task is refused at once (it never runs) with the error `onQueueFull` builds. The
 * password hasher puts every Argon2id computation behind one of these so a burst of sign-ins
 * cannot allocate `memoryKiB` per request without limit. It knows nothing about passwords.
 */

export interface ConcurrencyLimiterOptions {
  /** Tasks allowed to run at the same time (>= 1). */
  readonly maxConcurrent: number;
  /** Tasks allowed to wait for a slot (>= 0); one more is refused without running. */
  readonly maxQueued: number;
  /** Builds the error a refused task rejects with. */
  readonly onQueueFull: () => Error;
}

export interface ConcurrencyLimiter {
  /**
   * Runs `task` when a slot is free and settles as it does. Rejects with `onQueueFull()`
   * (without calling `task`) when the waiting line is full.
   */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly queued: number;
}

/**
 * @example
 * const limiter = createConcurrencyLimiter({ maxConcurrent: 4, maxQueued: 1000, onQueueFull: () => new Error('busy') });
 * const digest = await limiter.run(() => argon2.hash(password, options));
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const { maxConcurrent, maxQueued, onQueueFull } = options;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new TypeError('maxConcurrent must be an integer >= 1');
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new TypeError('maxQueued must be an integer >= 0');

  // FIFO of resolvers. A head index instead of Array#shift keeps dequeue O(1) under long queues;
  // the array is compacted when it drains.
  let waiting: (() => void)[] = [];
  let head = 0;
  let active = 0;

  function release(): void {
    const next = waiting[head];
    if (next === undefined) {
      active--;
      return;
    }
    // Hand the slot straight to the next waiter: `active` stays the same, so no task that
    // arrives in between can overtake the queue.
    waiting[head] = noop;
    head++;
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    }
    next();
  }

  async function acquire(): Promise<void> {
    if (active < maxConcurrent) {
      active++;
      return;
    }
    if (waiting.length - head >= maxQueued) throw onQueueFull();
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get queued() {
      return waiting.length - head;
    },
  };
}

function noop(): void {}
