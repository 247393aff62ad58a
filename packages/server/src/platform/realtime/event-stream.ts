/**
 * @module platform/realtime/event-stream
 *
 * Serves a server-sent event stream (`text/event-stream`, WHATWG HTML §9.2) of what a durable
 * store holds for one reader, from the event after `Last-Event-ID` on. The store is the truth:
 * the stream only decides *when* to read it — when the reader's doorbell rings, at a slow poll
 * (so a lost ring costs latency, not data) and at once after connecting.
 *
 * Bounded by design: the stream ends after `maxDurationMs` (the client reconnects with a fresh
 * DPoP proof and its last event id, so a stream never outlives the credential that opened it by
 * much), ends as soon as `stillAllowed` says no (checked with every heartbeat) or the server shuts
 * down (`closing`), and stops reading
 * while the client is not keeping up, so a slow reader cannot pile events up in server memory.
 * The reply goes through Fastify's normal send path, so the security headers of every response
 * apply to it too.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Doorbell, Listening } from './doorbell.ts';

export interface StreamEvent {
  /** Sent as `id:`; the client sends the last one back as `Last-Event-ID`. No newlines. */
  readonly id: string;
  readonly event: string;
  /** One line of JSON (no newlines). */
  readonly data: string;
}

export interface EventStreamOptions {
  /** The doorbell channel that rings when the reader has something new. */
  readonly channel: string;
  readonly doorbell: Doorbell;
  /** Where to resume: the `Last-Event-ID` the client sent (already validated), or undefined for the start. */
  readonly after: string | undefined;
  /** Events after `after`, oldest first, at most a page; an empty list means nothing new. */
  readonly readAfter: (after: string | undefined) => Promise<readonly StreamEvent[]>;
  /** Whether the reader may still receive (its session still valid); false ends the stream. */
  readonly stillAllowed: () => Promise<boolean>;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly maxDurationMs: number;
  /** Sent as `retry:`, the client's reconnection delay. */
  readonly retryMs: number;
  /** Told of a failure that ended the stream early (database unavailable…); the client reconnects. */
  readonly onError?: (error: unknown) => void;
  /**
   * Aborted when the server shuts down: the stream ends at once, so an open stream does not hold
   * the graceful shutdown for its whole remaining life; the client reconnects to another instance.
   */
  readonly closing?: AbortSignal;
}

/** Frames one event; ids and event names are ours, data is one line of JSON. */
export function formatEvent(event: StreamEvent): string {
  if (/[\r\n]/.test(event.id) || /[\r\n]/.test(event.event) || /[\r\n]/.test(event.data)) {
    throw new TypeError('formatEvent: fields must not contain line breaks');
  }
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`;
}

/** Starts streaming into `reply`; returns it, for the route handler to return. */
export function serveEventStream(request: FastifyRequest, reply: FastifyReply, options: EventStreamOptions): FastifyReply {
  const body = new PassThrough();
  let cursor = options.after;
  // An object, not a boolean: it changes while reads are awaiting.
  const stream = { ended: false };
  const hasEnded = (): boolean => stream.ended;
  let reading: Promise<void> | undefined;
  let readAgain = false;

  // The heartbeat, the poll and the deadline; each timer replaces its predecessor.
  const timers: Record<'heartbeat' | 'poll' | 'deadline', NodeJS.Timeout | undefined> = {
    heartbeat: undefined,
    poll: undefined,
    deadline: undefined,
  };
  const listening: { current?: Listening } = {};
  const end = (): void => {
    if (stream.ended) return;
    stream.ended = true;
    for (const timer of Object.values(timers)) clearTimeout(timer);
    listening.current?.stop();
    options.closing?.removeEventListener('abort', end);
    body.end();
  };

  const drained = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        body.off('drain', done).off('close', done);
        resolve();
      };
      body.once('drain', done).once('close', done);
    });

  const readOnce = async (): Promise<void> => {
    for (;;) {
      const events = await options.readAfter(cursor);
      if (stream.ended || events.length === 0) return;
      for (const event of events) {
        if (hasEnded()) return;
        const kept = body.write(formatEvent(event));
        cursor = event.id;
        if (!kept) await drained();
      }
    }
  };

  // One read at a time; a ring during a read asks for one more read after it.
  const read = (): void => {
    if (stream.ended) return;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = readOnce()
      .catch((error: unknown) => {
        options.onError?.(error);
        end();
      })
      .finally(() => {
        reading = undefined;
        if (readAgain) {
          readAgain = false;
          read();
        }
      });
  };

  const heartbeat = (): void => {
    timers.heartbeat = setTimeout(() => {
      options.stillAllowed().then(
        (allowed) => {
          if (!allowed) return end();
          if (stream.ended) return;
          body.write(': keep-alive\n\n');
          heartbeat();
        },
        (error: unknown) => {
          options.onError?.(error);
          end();
        },
      );
    }, options.heartbeatMs).unref();
  };
  const poll = (): void => {
    timers.poll = setTimeout(() => {
      read();
      if (!stream.ended) poll();
    }, options.pollMs).unref();
  };

  request.raw.once('close', end);
  body.once('close', end);
  options.closing?.addEventListener('abort', end, { once: true });
  timers.deadline = setTimeout(end, options.maxDurationMs).unref();
  body.write(`retry: ${options.retryMs}\n\n`);
  listening.current = options.doorbell.listen(options.channel, read);
  void listening.current.ready.then(read);
  heartbeat();
  poll();
  if (options.closing?.aborted === true) end();

  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-accel-buffering', 'no')
    .send(body);
}
