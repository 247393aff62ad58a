/**
 * @module lib/webcrypto
 *
 * The one place the SDK reaches for the platform's WebCrypto (`globalThis.crypto`). Browsers
 * expose `crypto.subtle` only in secure contexts (https or localhost), and React Native needs a
 * WebCrypto implementation installed by the app; when it is missing the SDK fails with
 * `DPOP_KEY_UNAVAILABLE` instead of a `TypeError` deep inside a call. Internal.
 */
import { ClientError } from '../errors.ts';

function platformCrypto(): Crypto {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (crypto?.subtle === undefined || typeof crypto.getRandomValues !== 'function') {
    throw new ClientError(
      'DPOP_KEY_UNAVAILABLE',
      'WebCrypto is not available: browsers provide crypto.subtle only on https pages (or localhost); React Native apps must install a WebCrypto implementation',
    );
  }
  return crypto;
}

/** `crypto.subtle`, or `DPOP_KEY_UNAVAILABLE` when the platform has none. */
export function subtleCrypto(): SubtleCrypto {
  return platformCrypto().subtle;
}

/** `length` bytes from the platform CSPRNG. */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return platformCrypto().getRandomValues(new Uint8Array(length));
}
