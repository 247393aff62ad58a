/**
 * @module platform/realtime/doorbell
 *
 * Wakes whoever waits on a channel (an open event stream of one device) when something new was
 * written for it. Only the ring travels, never content: the woken side reads what is new from
 * the database, the one place state lives. A lost ring therefore costs latency, never data, and
 * waiting sides also look on their own at a slow interval (see `event-stream.ts`).
 *
 * One instance rings in process memory. Instances that share Redis ring through pub/sub, so a
 * message accepted by instance A reaches a stream held open by instance B at once. Channel names
 * travel to Redis as they are: callers pass opaque ids (a device id), never personal data.
 */
import type { Redis } from 'ioredis';

export interface Doorbell {
  /** Wakes every listener of `channel`, on every instance. Never throws: the write it announces is already durable. */
  ring(channel: string): Promise<void>;
  /**
   * Calls `onRing` whenever `channel` rings until `stop` is called. Rings are heard once `ready`
   * resolves: read the state after that, or a write made in between could go unnoticed until the
   * next poll.
   */
  listen(channel: string, onRing: () => void): Listening;
  /** Listeners held right now, for metrics and tests. */
  listeners(): number;
  close(): Promise<void>;
}

export interface Listening {
  readonly ready: Promise<void>;
  stop(): void;
}

/** Listeners per channel, shared by both implementations. */
class Listeners {
  readonly #byChannel = new Map<string, Set<() => void>>();

  /** Adds one; returns true when it is the channel's first. */
  add(channel: string, onRing: () => void): boolean {
    let set = this.#byChannel.get(channel);
    const first = set === undefined;
    if (!set) this.#byChannel.set(channel, (set = new Set()));
    set.add(onRing);
    return first;
  }

  /** Removes one; returns true when the channel has none left. */
  remove(channel: string, onRing: () => void): boolean {
    const set = this.#byChannel.get(channel);
    if (!set?.delete(onRing)) return false;
    if (set.size > 0) return false;
    this.#byChannel.delete(channel);
    return true;
  }

  wake(channel: string): void {
    for (const onRing of [...(this.#byChannel.get(channel) ?? [])]) onRing();
  }

  count(): number {
    let total = 0;
    for (const set of this.#byChannel.values()) total += set.size;
    return total;
  }
}

/** One instance: rings stay in this process. */
export function createMemoryDoorbell(): Doorbell {
  const listeners = new Listeners();
  return {
    ring(channel) {
      // Asynchronous like the Redis bell, so no caller comes to depend on a synchronous wake-up.
      queueMicrotask(() => listeners.wake(channel));
      return Promise.resolve();
    },
    listen(channel, onRing) {
      listeners.add(channel, onRing);
      return { ready: Promise.resolve(), stop: () => void listeners.remove(channel, onRing) };
    },
    listeners: () => listeners.count(),
    close: () => Promise.resolve(),
  };
}

export interface RedisDoorbellOptions {
  /** The shared connection, used to publish. Subscribing takes a connection of its own (a duplicate). */
  readonly redis: Redis;
  /** Prefix of the pub/sub channels; tests use a random one. */
  readonly namespace?: string;
  /** Told when a ring could not be published or a subscription failed (it is not retried: streams also poll). */
  readonly onError?: (error: unknown) => void;
}

export const REDIS_DOORBELL_NAMESPACE = 'portcullis:ring:';

/** Instances sharing Redis: a ring on one wakes listeners on all of them. */
export function createRedisDoorbell(options: RedisDoorbellOptions): Doorbell {
  const namespace = options.namespace ?? REDIS_DOORBELL_NAMESPACE;
  const onError = options.onError ?? (() => undefined);
  const listeners = new Listeners();
  let subscriber: Redis | undefined;
  // The SUBSCRIBE in flight or done per channel, so later listeners wait for the same one.
  const subscribed = new Map<string, Promise<void>>();

  // A subscribed connection can do nothing else, hence its own; made on the first listener.
  const subscriberConnection = (): Redis => {
    if (subscriber) return subscriber;
    const connection = options.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    connection.on('error', onError);
    connection.on('message', (name: string) => {
      if (name.startsWith(namespace)) listeners.wake(name.slice(namespace.length));
    });
    return (subscriber = connection);
  };

  return {
    async ring(channel) {
      try {
        await options.redis.publish(namespace + channel, '');
      } catch (error) {
        onError(error);
      }
    },
    listen(channel, onRing) {
      if (listeners.add(channel, onRing)) {
        const subscribing = subscriberConnection()
          .subscribe(namespace + channel)
          .then(() => undefined, onError);
        subscribed.set(channel, subscribing);
      }
      const ready = subscribed.get(channel) ?? Promise.resolve();
      let stopped = false;
      return {
        ready,
        stop() {
          if (stopped) return;
          stopped = true;
          if (!listeners.remove(channel, onRing)) return;
          subscribed.delete(channel);
          subscriber?.unsubscribe(namespace + channel).catch(onError);
        },
      };
    },
    listeners: () => listeners.count(),
    async close() {
      subscribed.clear();
      const connection = subscriber;
      subscriber = undefined;
      if (connection) await connection.quit().catch(() => connection.disconnect());
    },
  };
}
