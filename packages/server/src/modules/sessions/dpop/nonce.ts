/**
 * @module modules/sessions/dpop/nonce
 *
 * Server-issued DPoP nonces (RFC 9449 section 8) without server state: the nonce for time window
 * `w = floor(now / lifetime)` is HMAC-SHA-256(key-ring `dpop-nonce`, "portcullis.dpop-nonce.v1." + w),
 * truncated to 22 base64url characters (132 bits). A nonce is accepted during its own window and
 * the next one, so it lives between one and two lifetimes, and every instance that shares the key
 * ring accepts every other instance's nonces. Nonces are not secret and not single-use: they bound
 * how far ahead a stolen key can pre-generate proofs; single use is the `jti` replay check's job.
 * Rotating the `dpop-nonce` key invalidates outstanding nonces; clients recover with one retry.
 */
import { constantTimeEqual, hmacSha256 } from '../../../platform/crypto/hmac.ts';
import type { KeyRing } from '../../../platform/crypto/key-ring.ts';

/** 22 base64url characters carry 132 bits of the MAC. */
const NONCE_LENGTH = 22;
const DOMAIN = 'portcullis.dpop-nonce.v1.';

export interface DPoPNonces {
  /** The nonce to send in `DPoP-Nonce` now. */
  readonly current: () => string;
  /** True when `nonce` was issued for the current or the previous window under the current key. */
  readonly isValid: (nonce: string) => boolean;
}

export interface DPoPNonceOptions {
  readonly keyRing: Pick<KeyRing, 'key'>;
  /** Window length in seconds (`sessions.dpop.nonce.lifetimeSeconds`). */
  readonly lifetimeSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * @example
 *   const nonces = createDPoPNonces({ keyRing, lifetimeSeconds: 300, now: Date.now });
 *   reply.header('dpop-nonce', nonces.current());
 */
export function createDPoPNonces(options: DPoPNonceOptions): DPoPNonces {
  const { keyRing, lifetimeSeconds, now } = options;
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1)
    throw new TypeError('createDPoPNonces: lifetimeSeconds must be a positive integer');
  const lifetimeMs = lifetimeSeconds * 1000;
  // Two-entry memo: the hot path asks for the same one or two windows over and over.
  let memoKey: Buffer | undefined;
  const memo = new Map<number, string>();

  function nonceFor(window: number): string {
    const key = keyRing.key('dpop-nonce');
    if (key !== memoKey) {
      memoKey = key;
      memo.clear();
    }
    let nonce = memo.get(window);
    if (nonce === undefined) {
      nonce = hmacSha256(key, DOMAIN + String(window)).slice(0, NONCE_LENGTH);
      if (memo.size >= 2) memo.delete(memo.keys().next().value as number);
      memo.set(window, nonce);
    }
    return nonce;
  }

  return {
    current: () => nonceFor(Math.floor(now() / lifetimeMs)),
    isValid: (nonce) => {
      const window = Math.floor(now() / lifetimeMs);
      const previous = nonceFor(window - 1);
      const current = nonceFor(window);
      // Both comparisons always run; which window matched is not secret, but there is no reason to branch.
      const matchesCurrent = constantTimeEqual(nonce, current);
      const matchesPrevious = constantTimeEqual(nonce, previous);
      return matchesCurrent || matchesPrevious;
    },
  };
}
