/**
 * @module key-transparency/bytes
 *
 * Byte helpers the verifiers need: strict base64 and base64url decoding (a text that does not
 * re-encode to itself is refused, so one value has one accepted spelling), equality, and
 * concatenation. Uint8Array only. Internal.
 */

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet.charAt((n >> 18) & 63) + alphabet.charAt((n >> 12) & 63) + alphabet.charAt((n >> 6) & 63) + alphabet.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] ?? 0) << 16) | (rest === 2 ? (bytes[i + 1] ?? 0) << 8 : 0);
    out += alphabet.charAt((n >> 18) & 63) + alphabet.charAt((n >> 12) & 63);
    out += rest === 2 ? alphabet.charAt((n >> 6) & 63) : pad ? '=' : '';
    if (pad) out += '=';
  }
  return out;
}

function decode(text: string, alphabet: string, pad: boolean): Uint8Array | undefined {
  const body = pad ? text.replace(/={1,2}$/, '') : text;
  if (body.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let offset = 0;
  for (const char of body) {
    const digit = alphabet.indexOf(char);
    if (digit < 0) return undefined;
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[offset++] = (value >> bits) & 0xff;
    }
  }
  // Canonical only: unused bits zero and padding exactly as the encoder writes it.
  return encode(out, alphabet, pad) === text ? out : undefined;
}

/** Standard base64 with padding (RFC 4648 §4), as C2SP notes write it; undefined when not canonical. */
export function decodeBase64(text: string): Uint8Array | undefined {
  return decode(text, STANDARD, true);
}

export function encodeBase64(bytes: Uint8Array): string {
  return encode(bytes, STANDARD, true);
}

/** Unpadded base64url (RFC 4648 §5), as the key-log routes write bytes; undefined when not canonical. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  return decode(text, URL_SAFE, false);
}

export function encodeBase64urlBytes(bytes: Uint8Array): string {
  return encode(bytes, URL_SAFE, false);
}

/** Same length and same bytes. Compares every byte (these are public values, but no early exit costs nothing). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const utf8 = new TextEncoder();

export function utf8Encode(text: string): Uint8Array {
  return utf8.encode(text);
}
