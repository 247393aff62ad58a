/**
 * The recovery-code format: `xxxxx-xxxxx` in Crockford base32 (ASVS V6.5.3 CSPRNG, V6.5.4 at
 * least 20 bits — these carry 50), no ambiguous characters, forgiving input.
 */
import { describe, expect, it } from 'vitest';
import { generateRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_BITS } from './recovery-code-format.ts';

describe('recovery code format', () => {
  it('V6.5.4: carries at least 50 bits in 10 characters of a 32-symbol alphabet', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(50);
  });

  it('leaves out the characters people confuse (i, l, o, u)', () => {
    expect(RECOVERY_CODE_ALPHABET).not.toMatch(/[ilou]/);
  });

  it('V6.5.3: shows codes as xxxxx-xxxxx, every symbol in use, no repeats across many draws', () => {
    const codes = Array.from({ length: 2000 }, generateRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes.join('').replace(/-/g, '')).size).toBe(32);
  });

  it('reads any case, with or without the hyphen or a space, and maps look-alikes (o→0, i/l→1)', () => {
    expect(normalizeRecoveryCode('7HQ2M-X9C4K')).toBe('7hq2mx9c4k');
    expect(normalizeRecoveryCode(' 7hq2m x9c4k ')).toBe('7hq2mx9c4k');
    expect(normalizeRecoveryCode('7hq2mx9c4k')).toBe('7hq2mx9c4k');
    expect(normalizeRecoveryCode('O0ILx-x9c4k')).toBe('0011xx9c4k');
  });

  it('refuses what cannot be a code', () => {
    for (const input of ['', '7hq2m-x9c4', '7hq2m-x9c4kk', '7hq2m-x9c4u', '7hq2m_x9c4k', '１２３４５-６７８９０']) {
      expect([input, normalizeRecoveryCode(input)]).toEqual([input, null]);
    }
  });
});
