/**
 * @module http/read-json
 *
 * Reads a response body as JSON when, and only when, the server labelled it JSON
 * (`application/json`, `application/problem+json` or another `+json` type). Anything else, and
 * JSON that does not parse, reads as "no JSON body" so callers report `INVALID_RESPONSE` rather
 * than a `SyntaxError`. Internal.
 */

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** Marker for a body that is absent, not JSON, or malformed. */
export const NO_JSON: unique symbol = Symbol('no JSON body');

/** Whether the response says its body is JSON. */
export function isJsonResponse(response: Response): boolean {
  const contentType = response.headers.get('content-type');
  if (contentType === null) return false;
  const mediaType = contentType.split(';', 1)[0]?.trim() ?? '';
  return JSON_MEDIA_TYPE.test(mediaType);
}

/** The parsed JSON body, or {@link NO_JSON}. Consumes the body. */
export async function readJson(response: Response): Promise<unknown> {
  if (!isJsonResponse(response)) {
    await discardBody(response);
    return NO_JSON;
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return NO_JSON;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NO_JSON;
  }
}

/** Releases a body that will not be read, so the connection can be reused. Never throws. */
export async function discardBody(response: Response): Promise<void> {
  if (response.bodyUsed || response.body === null) return;
  try {
    await response.body.cancel();
  } catch {
    // Already closed or errored: nothing to release.
  }
}

/** Whether `value` is a plain JSON object (not an array or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
