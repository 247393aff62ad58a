/**
 * @module dpop/nonce
 *
 * Server-provided DPoP nonces (RFC 9449 §8 and §9). The server may demand that proofs carry a
 * nonce it chose, which bounds how long a pre-generated proof stays usable. It hands nonces out
 * in the `DPoP-Nonce` header, on challenges and on ordinary responses alike; the client keeps
 * the latest one per origin and puts it in every later proof. Internal.
 */
import { DPOP_NONCE_HEADER } from '../lib/wire-constants.ts';

/** RFC 9449 §8.1: `nonce = 1*NQCHAR`, NQCHAR = %x21 / %x23-5B / %x5D-7E. */
const NONCE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Whether `value` is syntactically a DPoP nonce. */
export function isDpopNonce(value: string): boolean {
  return NONCE_PATTERN.test(value);
}

/** The latest nonce each origin handed out. */
export class DpopNonceCache {
  readonly #byOrigin = new Map<string, string>();

  /** The nonce to put in the next proof for `url`, if its origin gave one. */
  get(url: URL): string | undefined {
    return this.#byOrigin.get(url.origin);
  }

  /**
   * Remembers the `DPoP-Nonce` of a response from `url`, whatever its status (RFC 9449 §8.2: a
   * server may send a fresh nonce on any response). A malformed value is ignored rather than
   * echoed back. Returns whether a new nonce was recorded.
   */
  remember(url: URL, response: Response): boolean {
    const nonce = response.headers.get(DPOP_NONCE_HEADER);
    if (nonce === null || !isDpopNonce(nonce)) return false;
    const changed = this.#byOrigin.get(url.origin) !== nonce;
    this.#byOrigin.set(url.origin, nonce);
    return changed;
  }
}
