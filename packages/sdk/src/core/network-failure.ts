/**
 * @module core/network-failure
 *
 * Says why a request did not get an answer. `fetch` rejects with a bare "fetch failed" (Node)
 * or "Failed to fetch" (browsers) and hides the reason in `cause`: an untrusted certificate, a
 * refused connection, a DNS failure. Without it a developer whose server uses a self-signed
 * certificate only learns that "the request failed". The message names the URL without its
 * query (which may hold search terms) and the innermost cause's message and code, e.g.
 * "The request to https://localhost:8443/v1/sessions failed: self-signed certificate
 * (DEPTH_ZERO_SELF_SIGNED_CERT)". Internal.
 */

/** Longest cause text copied into a message; platform messages are short, this bounds a strange one. */
const MAX_REASON_LENGTH = 200;

/** The innermost `cause` of a chain (bounded, in case of a cycle). */
function innermostCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 8; depth++) {
    const next = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
    if (next === undefined || next === null) break;
    current = next;
  }
  return current;
}

/** "message (CODE)", "message", "CODE" or "unknown reason" for a thrown value. */
function reasonOf(error: unknown): string {
  const { message, code } = typeof error === 'object' && error !== null ? (error as { message?: unknown; code?: unknown }) : {};
  const text = typeof message === 'string' ? message.trim() : typeof error === 'string' ? error : '';
  const codeText = typeof code === 'string' && code !== '' && !text.includes(code) ? code : '';
  const reason = text !== '' && codeText !== '' ? `${text} (${codeText})` : text || codeText || 'unknown reason';
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
}

/** The message of a `NETWORK_ERROR` for a `fetch` of `url` that rejected with `error`. */
export function networkFailureMessage(url: URL, error: unknown): string {
  return `The request to ${url.origin}${url.pathname} failed: ${reasonOf(innermostCause(error))}`;
}
