/**
 * @module http/event-stream
 *
 * Reads a `text/event-stream` body (WHATWG HTML §9.2.6, "Interpreting an event stream") from a
 * `fetch` response. The SDK does not use `EventSource`: it cannot send the `Authorization` and
 * `DPoP` headers every Portcullis request carries, and it is missing in React Native. Internal.
 */

/** One dispatched event. `id` is the last event id in effect when it was dispatched. */
export interface ServerSentEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * The events of `body`, in order, until the stream ends. Comments, `retry` and unknown fields
 * are ignored; an event with no `data` line is not dispatched (as the standard says).
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let lastId: string | undefined;
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // Lines end with CRLF, LF or CR; a lone CR at the end of a chunk may be the first half of a CRLF.
      const lineEnd = done ? /\r\n|\n|\r/ : /\r\n|\n|\r(?!$)/;
      for (;;) {
        const match = lineEnd.exec(buffer);
        if (!match) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (data.length > 0) yield { id: lastId, event: event === '' ? 'message' : event, data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
        if (field === 'data') data.push(fieldValue);
        else if (field === 'event') event = fieldValue;
        else if (field === 'id' && !fieldValue.includes('\0')) lastId = fieldValue;
      }
      // An event not ended by a blank line when the stream ends is discarded (the standard).
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
