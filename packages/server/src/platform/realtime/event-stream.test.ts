/**
 * The event stream over a real socket: it resumes after `Last-Event-ID` from the store, delivers
 * a new event live when the doorbell rings, ends when the reader is no longer allowed, when
 * its deadline passes and when the server begins to close, and refuses to frame a field that would inject a second event.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryDoorbell, type Doorbell } from './doorbell.ts';
import { formatEvent, serveEventStream, type EventStreamOptions, type StreamEvent } from './event-stream.ts';

interface Harness {
  readonly url: string;
  readonly doorbell: Doorbell;
  readonly store: StreamEvent[];
  allowed: boolean;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function harness(options: Partial<EventStreamOptions> = {}): Promise<Harness> {
  const doorbell = createMemoryDoorbell();
  const state: Harness = { url: '', doorbell, store: [], allowed: true };
  app = Fastify();
  app.get('/events', (request, reply) => {
    const lastEventId = request.headers['last-event-id'];
    return serveEventStream(request, reply, {
      channel: 'dev_1',
      doorbell,
      after: typeof lastEventId === 'string' ? lastEventId : undefined,
      readAfter: (after) => Promise.resolve(state.store.filter((event) => Number(event.id) > Number(after ?? 0)).slice(0, 2)),
      stillAllowed: () => Promise.resolve(state.allowed),
      heartbeatMs: 50,
      pollMs: 60_000,
      maxDurationMs: 60_000,
      retryMs: 1000,
      ...options,
    });
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return Object.assign(state, { url: `${address}/events` });
}

const event = (id: number): StreamEvent => ({ id: String(id), event: 'mailbox', data: JSON.stringify({ seq: id }) });

/** Reads the stream until `until` holds for the text so far, or the stream ends. */
async function read(response: Response, until: (text: string) => boolean = () => false): Promise<{ text: string; ended: boolean }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { text, ended: true };
    text += decoder.decode(value, { stream: true });
    if (until(text)) {
      await reader.cancel();
      return { text, ended: false };
    }
  }
}

describe('event stream', () => {
  it('resumes after Last-Event-ID from the store, then delivers a new event when the doorbell rings', async () => {
    const h = await harness();
    h.store.push(event(1), event(2), event(3), event(4), event(5));
    const response = await fetch(h.url, { headers: { 'last-event-id': '2' } });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const reading = read(response, (text) => text.includes('id: 6\n'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    h.store.push(event(6));
    await h.doorbell.ring('dev_1');
    const { text } = await reading;
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => match[1]);
    expect(ids).toEqual(['3', '4', '5', '6']);
    expect(text.startsWith('retry: 1000\n\n')).toBe(true);
  });

  it('ends once the reader is no longer allowed (its session was revoked)', async () => {
    const h = await harness();
    const response = await fetch(h.url);
    h.allowed = false;
    const { ended } = await read(response);
    expect(ended).toBe(true);
    expect(h.doorbell.listeners()).toBe(0);
  });

  it('ends at its deadline, so a stream never outlives the credential that opened it by much', async () => {
    const h = await harness({ maxDurationMs: 100, heartbeatMs: 20 });
    const response = await fetch(h.url);
    const { text, ended } = await read(response);
    expect(ended).toBe(true);
    expect(text).toContain(': keep-alive');
  });

  it('ends when the server begins to close, so an open stream does not hold the shutdown', async () => {
    const closing = new AbortController();
    const h = await harness({ closing: closing.signal, heartbeatMs: 60_000 });
    const response = await fetch(h.url);
    const reading = read(response);
    await new Promise((resolve) => setTimeout(resolve, 30));
    closing.abort();
    expect((await reading).ended).toBe(true);
    expect(h.doorbell.listeners()).toBe(0);
  });

  it('stops listening when the client goes away', async () => {
    const h = await harness();
    const response = await fetch(h.url);
    await read(response, (text) => text.includes('retry:'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.doorbell.listeners()).toBe(0);
  });

  it('refuses to frame a field with a line break (it would inject an event)', () => {
    expect(() => formatEvent({ id: '1\nevent: x', event: 'mailbox', data: '{}' })).toThrow(TypeError);
    expect(() => formatEvent({ id: '1', event: 'mailbox', data: '{}\n\ndata: x' })).toThrow(TypeError);
  });
});
