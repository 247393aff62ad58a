/**
 * @module realtime/event-subscription
 *
 * Keeps a server-sent event stream of the signed-in session open: each connection is an
 * authenticated request (access token and a fresh DPoP proof, refreshed when needed), and when a
 * stream ends — the server closes it at its deadline, the network drops — it reconnects with the
 * id of the last event handled (`Last-Event-ID`), so nothing is missed and nothing is handled
 * twice by this subscription. Failures the next attempt might not have (network, 5xx, 429) are
 * retried with capped, jittered back-off; the others (the session is gone, the route refuses)
 * end the subscription and are reported. Internal: features build on it.
 */
import type { CoreClient } from '../core/core-client.ts';
import { jsonInit } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { ClientError, isApiError } from '../errors.ts';
import { errorFromResponse } from '../http/error-from-response.ts';
import { readEventStream, type ServerSentEvent } from '../http/event-stream.ts';

export interface EventSubscriptionOptions {
  /** The stream's path on the Portcullis origin (`/v1/...`). */
  readonly path: string;
  /** Resume after this event id (one the app persisted), or from what the server still holds. */
  readonly lastEventId?: string | undefined;
  /** Called for each event in order; the next waits until it settles. A throw ends the subscription. */
  readonly onEvent: (event: ServerSentEvent) => void | Promise<void>;
  /** Told why the subscription ended, unless `close()` ended it. */
  readonly onEnd?: (error: unknown) => void;
  /** Back-off between reconnections after a failure: starts at `min`, doubles up to `max` (ms). */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
}

export interface EventSubscription {
  /** The id of the last event handled, to persist and pass back as `lastEventId` later. */
  readonly lastEventId: string | undefined;
  /** Ends the subscription and its open request. */
  close(): void;
  /** Settles once the subscription has ended, for whatever reason. */
  readonly ended: Promise<void>;
}

const DEFAULT_BACKOFF = { minMs: 500, maxMs: 30_000 };

/** Whether a failed attempt may succeed when simply tried again later. */
function isTransient(error: unknown): boolean {
  if (isApiError(error)) return error.status >= 500 || error.status === 429 || error.status === 408;
  return error instanceof ClientError && error.code === 'NETWORK_ERROR';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * @example
 *   const subscription = subscribeToEvents(client, {
 *     path: '/v1/messaging/events',
 *     lastEventId: saved,
 *     onEvent: async (event) => handle(JSON.parse(event.data)),
 *   });
 */
export function subscribeToEvents(client: CoreClient, options: EventSubscriptionOptions): EventSubscription {
  const engine = engineOf(client);
  const abort = new AbortController();
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const state: { lastEventId: string | undefined } = { lastEventId: options.lastEventId };

  const connectOnce = async (): Promise<boolean> => {
    const init = jsonInit('GET');
    const headers = new Headers(init.headers);
    headers.set('accept', 'text/event-stream, application/problem+json');
    if (state.lastEventId !== undefined) headers.set('last-event-id', state.lastEventId);
    const response = await engine.sendAuthorized(engine.transport.url(options.path), { ...init, headers, signal: abort.signal });
    if (!response.ok) throw await errorFromResponse(response, `GET ${options.path}`);
    if (response.body === null || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      throw new ClientError('INVALID_RESPONSE', `The answer to GET ${options.path} is not an event stream`, { status: response.status });
    }
    let received = false;
    for await (const event of readEventStream(response.body)) {
      await options.onEvent(event);
      if (event.id !== undefined) state.lastEventId = event.id;
      received = true;
    }
    return received;
  };

  const run = async (): Promise<void> => {
    let delay = backoff.minMs;
    const stopped = (): boolean => abort.signal.aborted;
    while (!stopped()) {
      try {
        const received = await connectOnce();
        // A stream that ended normally (its deadline) is reopened at once; an empty one after a pause.
        if (received) delay = backoff.minMs;
        else await sleep(delay, abort.signal);
      } catch (error) {
        if (stopped()) return;
        if (!isTransient(error)) {
          options.onEnd?.(error);
          return;
        }
        await sleep(delay * (0.5 + Math.random() / 2), abort.signal);
        delay = Math.min(backoff.maxMs, delay * 2);
      }
    }
  };

  const ended = run();
  return {
    get lastEventId() {
      return state.lastEventId;
    },
    close: () => abort.abort(),
    ended,
  };
}

export type { ServerSentEvent };
