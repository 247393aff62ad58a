/**
 * @module messaging/live-delivery
 *
 * Receives messages as they arrive: keeps the device's event stream (`GET /v1/messaging/events`,
 * server-sent events over the signed-in session) open and, whenever it announces new mailbox
 * entries, lets the engine fetch, decrypt and acknowledge them (`E2eeEngine.receive`). Events
 * carry no message content, only that something is waiting; the mailbox stays the one source
 * of messages, so an event lost on the way costs nothing but time: the next event, or the
 * first receive after reconnecting, picks the entry up.
 */
import type { CoreClient } from '../core/core-client.ts';
import { subscribeToEvents, type EventSubscription } from '../realtime/event-subscription.ts';
import type { E2eeEngine, IncomingResult } from './engine.ts';

export const MESSAGING_EVENTS_PATH = '/v1/messaging/events';

export interface LiveDeliveryOptions {
  /** What each receive processed (the engine's own callbacks fire too). */
  readonly onReceived?: (results: readonly IncomingResult[]) => void;
  /** Why live delivery stopped (the session ended, the device lost messaging), unless `close()` stopped it. */
  readonly onEnd?: (error: unknown) => void;
}

/**
 * @example
 *   const live = startLiveDelivery(client, engine, { onEnd: (error) => showOffline(error) });
 *   // … later
 *   live.close();
 */
export function startLiveDelivery(client: CoreClient, engine: E2eeEngine, options: LiveDeliveryOptions = {}): EventSubscription {
  return subscribeToEvents(client, {
    path: MESSAGING_EVENTS_PATH,
    onEvent: async () => {
      const results = await engine.receive();
      if (results.length > 0) options.onReceived?.(results);
    },
    ...(options.onEnd ? { onEnd: options.onEnd } : {}),
  });
}
