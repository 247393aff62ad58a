/**
 * base64url (RFC 4648 §5, unpadded) checked against Node's own encoder, which the SDK cannot use
 * (no Buffer in browsers or React Native) but tests can.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url, encodeBase64urlText } from './base64url.ts';

describe('base64url RFC 4648 §5', () => {
  it('matches the RFC 4648 §10 test vectors (unpadded)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [input, output] of vectors) expect(encodeBase64urlText(input)).toBe(output);
  });

  it('uses the URL-safe alphabet (- and _ instead of + and /)', () => {
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it('agrees with Buffer for every length from 0 to 96 bytes', () => {
    for (let length = 0; length <= 96; length++) {
      const bytes = randomBytes(length);
      expect(encodeBase64url(new Uint8Array(bytes))).toBe(bytes.toString('base64url'));
    }
  });

  it('encodes text as UTF-8', () => {
    expect(encodeBase64urlText('é€😀')).toBe(Buffer.from('é€😀', 'utf8').toString('base64url'));
  });

  it('decodes what it encodes, for every length from 0 to 96 bytes, and refuses what is not base64url', () => {
    for (let length = 0; length <= 96; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes);
    }
    expect(() => decodeBase64url('Zm9v=')).toThrow(TypeError);
    expect(() => decodeBase64url('Zm+v')).toThrow(TypeError);
    expect(() => decodeBase64url('Zm9vY')).toThrow(TypeError);
  });
});
