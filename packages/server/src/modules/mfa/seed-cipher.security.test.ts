/**
 * Invariants of TOTP seed storage (ASVS V11.3.2 approved AEAD, V11.3.3 tampering detected,
 * V11.3.4 fresh nonce per seal, V13.3.1 seeds protected by the key ring): a sealed seed opens
 * only under the key ring that sealed it, only in the row (account + factor) it was sealed for,
 * and only if not a single bit changed.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { generateKeyRingFile, keyRingFromFile } from '../../platform/crypto/index.ts';
import { openSeed, sealSeed, SeedUnreadableError } from './seed-cipher.ts';

const ring = () => keyRingFromFile(generateKeyRingFile({ development: true }), 'test');
const binding = { accountId: '0f8fad5b-d9cb-469f-a165-70867728950e', factorId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' };

function flipBit(text: string, part: number): string {
  const parts = text.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('TOTP seeds are sealed with AES-256-GCM bound to their row', () => {
  const keyRing = ring();
  const seed = randomBytes(20);

  it('round-trips, in a versioned format that does not contain the seed', () => {
    const sealed = sealSeed(keyRing, seed, binding);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(openSeed(keyRing, sealed, binding))).toEqual(seed);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(sealed).not.toContain(seed.toString(encoding));
  });

  it('V11.3.4: draws a fresh nonce for every seal, so sealing the same seed twice differs', () => {
    const sealings = Array.from({ length: 50 }, () => sealSeed(keyRing, seed, binding));
    expect(new Set(sealings.map((s) => s.split('.')[1])).size).toBe(50);
  });

  it('does not open for another account or another factor (the AAD binds account and factor ids)', () => {
    const sealed = sealSeed(keyRing, seed, binding);
    expect(() => openSeed(keyRing, sealed, { ...binding, accountId: 'a1e2c3d4-0000-4000-8000-000000000001' })).toThrow(SeedUnreadableError);
    expect(() => openSeed(keyRing, sealed, { ...binding, factorId: 'a1e2c3d4-0000-4000-8000-000000000002' })).toThrow(SeedUnreadableError);
  });

  it('V11.3.3: refuses a changed nonce, ciphertext or tag, and a truncated tag', () => {
    const sealed = sealSeed(keyRing, seed, binding);
    for (const part of [1, 2, 3]) expect(() => openSeed(keyRing, flipBit(sealed, part), binding)).toThrow(SeedUnreadableError);
    const [version, nonce, ciphertext, tag = ''] = sealed.split('.');
    const shortTag = Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url');
    expect(() => openSeed(keyRing, [version, nonce, ciphertext, shortTag].join('.'), binding)).toThrow(SeedUnreadableError);
  });

  it('does not open under another key ring, nor in an unknown format version', () => {
    const sealed = sealSeed(keyRing, seed, binding);
    expect(() => openSeed(ring(), sealed, binding)).toThrow(SeedUnreadableError);
    expect(() => openSeed(keyRing, sealed.replace(/^v1\./, 'v2.'), binding)).toThrow(SeedUnreadableError);
    expect(() => openSeed(keyRing, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', binding)).toThrow(SeedUnreadableError);
  });
});
