/**
 * @module modules/accounts/password/hibp
 *
 * Have I Been Pwned "Pwned Passwords" range check with k-anonymity
 * (https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange): the SHA-1 of the
 * NFKC-normalized, UTF-8 password is computed here, only its first 5 hex characters are sent
 * (`GET ${url}${prefix}` with `Add-Padding: true`, so even the response size says nothing), and
 * the remaining 35 are compared locally with the returned `SUFFIX:COUNT` lines. Padding lines
 * (count 0) are ignored. ASVS V6.2.12 (breached-password check).
 *
 * The check fails open: a timeout (`timeoutMs`, via AbortController, covering the body too), a
 * network error, a non-200 status or an unreadable body yields `{ status: 'unknown', reason }`
 * and the offline blocklist stands alone. Nothing is logged here; the caller records the outcome.
 * SHA-1 is used only because the API is keyed by it; it protects nothing here (the prefix is
 * shared by ~1,000 breached hashes). Uses the global `fetch` and WebCrypto of Node.
 */
import type { Config } from '../../../config/index.ts';
import { normalizePassword } from './normalize.ts';

export type HibpConfig = Pick<Config['passwords']['hibp'], 'url' | 'timeoutMs'>;

export type HibpResult =
  /** The password is in the breach corpus, seen `count` times. */
  | { readonly status: 'breached'; readonly count: number }
  /** The range answered and the password is not in it. */
  | { readonly status: 'not_found' }
  /** No answer could be used; treat as "not checked". */
  | { readonly status: 'unknown'; readonly reason: HibpFailure };

export type HibpFailure = 'timeout' | 'network' | 'http_status' | 'malformed_response' | 'response_too_large';

/** Characters of the SHA-1 hex sent to the API (the k in k-anonymity: 16^5 buckets). */
export const HIBP_PREFIX_LENGTH = 5;

/** A padded range answer is ~40 KB (800–1,000 lines); anything far larger is not the API. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

const SUFFIX_LINE = /^([0-9A-F]{35}):(\d{1,12})$/;

/** Uppercase hex SHA-1 of the NFKC-normalized password's UTF-8 bytes. */
export async function passwordSHA1Hex(password: string): Promise<string> {
  const bytes = new TextEncoder().encode(normalizePassword(password));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex.toUpperCase();
}

/**
 * Asks the range API whether the password appears in a breach.
 *
 * @param config `passwords.hibp` (`url` ends with the path the prefix is appended to).
 * @example
 * const result = await checkBreachedPassword(password, config.passwords.hibp);
 * if (result.status === 'breached') refuse();
 */
export async function checkBreachedPassword(password: string, config: HibpConfig): Promise<HibpResult> {
  const hash = await passwordSHA1Hex(password);
  const prefix = hash.slice(0, HIBP_PREFIX_LENGTH);
  const suffix = hash.slice(HIBP_PREFIX_LENGTH);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.timeoutMs);
  try {
    const response = await fetch(`${config.url}${prefix}`, {
      method: 'GET',
      headers: { 'add-padding': 'true', accept: 'text/plain', 'user-agent': 'portcullis' },
      // A redirect could only come from a misconfigured URL; do not follow it elsewhere.
      redirect: 'error',
      signal: controller.signal,
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return unknown('http_status');
    }
    const body = await readBounded(response, MAX_RESPONSE_BYTES);
    if (body === undefined) return unknown('response_too_large');
    return findSuffix(body, suffix);
  } catch {
    return unknown(controller.signal.aborted ? 'timeout' : 'network');
  } finally {
    clearTimeout(timer);
  }
}

function findSuffix(body: string, suffix: string): HibpResult {
  let count = 0;
  for (const rawLine of body.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const match = SUFFIX_LINE.exec(line.toUpperCase());
    if (!match) return unknown('malformed_response');
    const [, lineSuffix, lineCount] = match;
    // Padding entries carry a count of 0 and are not real breaches.
    if (lineSuffix === suffix) count = Math.max(count, Number(lineCount));
  }
  return count > 0 ? { status: 'breached', count } : { status: 'not_found' };
}

/** The body as text, or `undefined` (and the stream cancelled) once it exceeds `limit` bytes. */
async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unknown(reason: HibpFailure): HibpResult {
  return { status: 'unknown', reason };
}
