/**
 * @module platform/http/docs/text
 *
 * Prose from the route schemas (summaries, descriptions) uses Markdown's backticks for code and
 * nothing else. It is escaped first, so only the `<code>` elements added here are markup.
 */
import { escapeHtml } from '../html.ts';

export function inlineText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A code fragment (path, pattern, JSON) as escaped text in a `<code>` element. */
export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}
