/**
 * The event-stream reader follows the WHATWG rules a server or proxy may exercise: any line
 * ending (split across chunks too), comments, multi-line data, the last id carried forward, an
 * unfinished event at the end discarded.
 */
import { describe, expect, it } from 'vitest';
import { readEventStream, type ServerSentEvent } from './event-stream.ts';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readEventStream(stream)) events.push(event);
  return events;
}

describe('readEventStream', () => {
  it('reads events with ids, names and data, skipping comments and retry', async () => {
    const events = await all(streamOf('retry: 1000\n\n: keep-alive\n\nid: 7\nevent: mailbox\ndata: {"seq":7}\n\n', 'data: plain\n\n'));
    expect(events).toEqual([
      { id: '7', event: 'mailbox', data: '{"seq":7}' },
      { id: '7', event: 'message', data: 'plain' },
    ]);
  });

  it('accepts CRLF and CR line endings, also split between chunks, and joins data lines', async () => {
    const events = await all(streamOf('id: 1\r', '\ndata: a\r\ndata: b\r\r', 'id: 2\rdata: c\r', '\r'));
    expect(events).toEqual([
      { id: '1', event: 'message', data: 'a\nb' },
      { id: '2', event: 'message', data: 'c' },
    ]);
  });

  it('handles a multi-byte character split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    expect(await all(stream)).toEqual([{ id: undefined, event: 'message', data: 'é' }]);
  });

  it('discards an event the stream ended before finishing', async () => {
    expect(await all(streamOf('id: 1\ndata: done\n\nid: 2\ndata: cut'))).toEqual([{ id: '1', event: 'message', data: 'done' }]);
  });
});
