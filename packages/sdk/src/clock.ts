/**
 * @module clock
 *
 * The time port of the SDK. Proof timestamps (`iat`) and access-token expiry are read through a
 * `Clock` so tests and apps with a server-corrected clock can inject one instead of patching
 * `Date`. Owns nothing else.
 */

/** A source of the current time. */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
}

/** The device clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
