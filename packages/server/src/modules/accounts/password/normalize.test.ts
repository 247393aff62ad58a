/**
 * Password normalization and length counting, NIST SP 800-63B-4 §3.1.1.2: NFKC before hashing
 * and comparing; each Unicode code point counts as one character.
 */
import { describe, expect, it } from 'vitest';
import { countCodePoints, foldForComparison, hasLoneSurrogate, normalizePassword } from './normalize.ts';

describe('normalizePassword (NFKC, NIST SP 800-63B-4 §3.1.1.2)', () => {
  it('maps compatibility characters to their plain forms', () => {
    expect(normalizePassword('\uFB01re')).toBe('fire'); // 'ﬁ' ligature
    expect(normalizePassword('\uFF11\uFF12\uFF13')).toBe('123'); // full-width digits
    expect(normalizePassword('\uFF30\uFF41\uFF53\uFF53')).toBe('Pass'); // full-width letters
    expect(normalizePassword('\u212B')).toBe('\u00C5'); // Angstrom sign → Å
  });

  it('composes a letter and a combining mark into the precomposed character', () => {
    expect(normalizePassword('cafe\u0301')).toBe('caf\u00E9');
  });

  it('keeps case, spaces and punctuation: what is hashed is what was typed (ASVS V6.2.8)', () => {
    expect(normalizePassword('  Correct Horse!  ')).toBe('  Correct Horse!  ');
  });

  it('is idempotent', () => {
    const once = normalizePassword('\uFB01\uFF11e\u0301\u2460');
    expect(normalizePassword(once)).toBe(once);
  });
});

describe('countCodePoints', () => {
  it('counts code points, not UTF-16 units or bytes', () => {
    expect(countCodePoints('abc')).toBe(3);
    expect(countCodePoints('😀😀')).toBe(2); // 4 UTF-16 units, 8 UTF-8 bytes
    expect(countCodePoints('é')).toBe(1);
    expect(countCodePoints('')).toBe(0);
  });

  it('counts the normalized form: a ligature becomes two characters', () => {
    expect(countCodePoints(normalizePassword('\uFB01'))).toBe(2);
  });
});

describe('hasLoneSurrogate', () => {
  it('finds unpaired surrogate halves and accepts proper pairs', () => {
    expect(hasLoneSurrogate('abc\uD83D')).toBe(true);
    expect(hasLoneSurrogate('\uDE00abc')).toBe(true);
    expect(hasLoneSurrogate('abc😀')).toBe(false);
  });
});

describe('foldForComparison', () => {
  it('is NFKC, lower case and trimmed', () => {
    expect(foldForComparison('  PASS\uFF37ORD\r')).toBe('password');
  });
});
