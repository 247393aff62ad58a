/**
 * @module modules/messaging/test-support/event-stream-client
 *
 * Reads `GET /v1/messaging/events` over a real socket the way an app does: `fetch` with the
 * access token and a fresh DPoP proof (an `EventSource` cannot send either), retried once with
 * the server's nonce when asked, and a parser for the `text/event-stream` framing.
 */
import type { TestDevice } from '../../../test-support/dpop-client.ts';

export const EVENTS_PATH = '/v1/messaging/events';

export interface ServerSentEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string | undefined;
}

/** An open stream, read in the background: events and comment lines pile up as they arrive. */
export class EventStreamReader {
  readonly events: ServerSentEvent[] = [];
  /** Comment lines (heartbeats) seen so far. */
  comments = 0;
  /** `retry:` as the server sent it. */
  retry: number | undefined;
  /** Settles when the server ends the stream (or `close` cancels it). */
  readonly ended: Promise<void>;
  #done = false;
  readonly #abort: AbortController;

  constructor(
    readonly response: Response,
    abort: AbortController,
  ) {
    this.#abort = abort;
    this.ended = this.#read().finally(() => {
      this.#done = true;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  async #read(): Promise<void> {
    const body = this.response.body as ReadableStream<Uint8Array> | null;
    if (!body) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          this.#frame(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
        }
      }
    } catch {
      // Aborted by `close`, or the connection dropped: either way the stream is over.
    }
  }

  #frame(frame: string): void {
    const fields: Record<string, string> = {};
    let comment = false;
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) comment = true;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
    }
    if (comment) this.comments += 1;
    if (fields['retry'] !== undefined) this.retry = Number(fields['retry']);
    if (fields['id'] !== undefined || fields['event'] !== undefined || fields['data'] !== undefined) {
      this.events.push({ id: fields['id'], event: fields['event'], data: fields['data'] });
    }
  }

  /** Waits until at least `count` events arrived; throws after `timeoutMs`. */
  async waitForEvents(count: number, timeoutMs = 5000): Promise<ServerSentEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.events.length} of ${count} events within ${timeoutMs} ms`);
      if (this.#done) throw new Error(`the stream ended after ${this.events.length} of ${count} events`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.events.slice(0, count);
  }

  close(): Promise<void> {
    this.#abort.abort();
    return this.ended;
  }
}

export type EventStreamAnswer = { readonly stream: EventStreamReader } | { readonly stream?: undefined; readonly response: Response };

/**
 * Opens the event stream of `device`'s session at `baseUrl` (the proof's `htu` is the server's
 * public URL, as for every request of the device). A stream answer gives a reader; any other
 * answer (a problem) is returned as it is.
 */
export async function openEventStream(
  baseUrl: string,
  device: TestDevice,
  headers: Record<string, string> = {},
): Promise<EventStreamAnswer> {
  const accessToken = device.tokens?.accessToken;
  if (!accessToken) throw new TypeError('device is not signed in');
  for (let attempt = 0; ; attempt++) {
    const abort = new AbortController();
    const response = await fetch(`${baseUrl}${EVENTS_PATH}`, {
      headers: { authorization: `DPoP ${accessToken}`, dpop: device.proof('GET', EVENTS_PATH, accessToken), ...headers },
      signal: abort.signal,
    });
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) device.nonce = nonce;
    if (response.status === 401 && nonce && attempt === 0) {
      await response.body?.cancel();
      continue;
    }
    if (response.status === 200 && response.headers.get('content-type')?.startsWith('text/event-stream')) {
      return { stream: new EventStreamReader(response, abort) };
    }
    return { response };
  }
}

/** Opens the stream and fails unless the answer is a stream. */
export async function streamOf(baseUrl: string, device: TestDevice, headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const answer = await openEventStream(baseUrl, device, headers);
  if (!answer.stream) throw new Error(`no event stream: ${answer.response.status} ${await answer.response.text()}`);
  return answer.stream;
}
