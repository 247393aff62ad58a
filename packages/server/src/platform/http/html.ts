/**
 * @module platform/http/html
 *
 * The few pages the server renders itself (the API reference, the "this was not me" page) are
 * built from strings; every value placed in them goes through `escapeHtml`, which is safe both
 * in text and in double- or single-quoted attribute values.
 */

/** Replaces `& < > " '` with numeric character references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
