/**
 * @module modules/mfa/recovery-code-format
 *
 * What a recovery code looks like: 10 characters of Crockford base32 (no i, l, o or u, so
 * nothing reads as another character or spells much), shown as `xxxxx-xxxxx` — 50 bits from the
 * CSPRNG. Input is read forgivingly (any case, hyphen or space optional, and the look-alikes
 * o→0, i/l→1 that Crockford's decoding rules allow), then stored and compared in one canonical
 * form: the 10 lower-case characters without the hyphen.
 */
import { randomInt } from 'node:crypto';

export const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;
const GROUP_LENGTH = 5;

/** log2(32) bits per character. */
export const RECOVERY_CODE_BITS = CODE_LENGTH * Math.log2(RECOVERY_CODE_ALPHABET.length);

/** A new code in display form, each character drawn uniformly (randomInt has no modulo bias). */
export function generateRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += RECOVERY_CODE_ALPHABET.charAt(randomInt(RECOVERY_CODE_ALPHABET.length));
  return `${code.slice(0, GROUP_LENGTH)}-${code.slice(GROUP_LENGTH)}`;
}

/** The canonical form of what a person typed, or null when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.trim().toLowerCase().replace(/[-\s]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (compact.length !== CODE_LENGTH) return null;
  for (const char of compact) if (!RECOVERY_CODE_ALPHABET.includes(char)) return null;
  return compact;
}
