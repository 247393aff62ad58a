/**
 * @module lib/base64url
 *
 * Unpadded base64url (RFC 4648 §5), as JOSE uses it (RFC 7515 §2). Written against Uint8Array
 * only, so it runs in browsers and React Native (Hermes) alike: no `Buffer`, and no `btoa`,
 * which older React Native engines lack and which works on "binary strings" rather than bytes.
 * Internal: not exported from the package.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const utf8 = new TextEncoder();

/** Encodes bytes as unpadded base64url. */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] ?? 0) << 16) | (rest === 2 ? (bytes[i + 1] ?? 0) << 8 : 0);
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
    if (rest === 2) out += ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

/**
 * Decodes unpadded base64url. Throws `TypeError` on any character outside the alphabet, on
 * padding, and on a length no encoder produces (one leftover character).
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 === 1) throw new TypeError('base64url text has an impossible length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = ALPHABET.indexOf(text.charAt(i));
    if (digit < 0) throw new TypeError('base64url text has a character outside the alphabet');
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** Encodes a string's UTF-8 bytes as unpadded base64url (JWS header and payload segments). */
export function encodeBase64urlText(text: string): string {
  return encodeBase64url(utf8.encode(text));
}

/** The UTF-8 bytes of a string. */
export function utf8Bytes(text: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(text);
}
