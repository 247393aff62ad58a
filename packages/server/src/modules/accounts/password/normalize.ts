/**
 * @module modules/accounts/password/normalize
 *
 * The canonical forms of a password. `normalizePassword` is applied before a password is hashed,
 * verified, measured or sent (as a hash prefix) to a breach service, so the same password typed
 * on different keyboards or input methods (the `ﬁ` ligature, full-width digits, a precomposed
 * `é` versus `e` + combining accent) is the same secret. Length is counted in Unicode code
 * points of the normalized form, never UTF-16 units or bytes. `foldForComparison` is a lossy
 * form used only to look a password up in lists (blocklist, context words); it is never hashed.
 * This module must not truncate, trim or case-fold what is hashed (ASVS V6.2.8).
 */

/**
 * NFKC-normalizes a password (NIST SP 800-63B-4 §3.1.1.2: "the verifier SHOULD apply the
 * Normalization Process for Stabilized Strings using either the NFKC or NFKD normalization").
 * Idempotent: `normalizePassword(normalizePassword(p)) === normalizePassword(p)`.
 *
 * @example
 * normalizePassword('ﬁre１２３') // 'fire123'
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Length in Unicode code points (NIST SP 800-63B-4 §3.1.1.2: "each Unicode code point SHALL be
 * counted as a single character"). Pass the normalized form.
 *
 * @example
 * countCodePoints('😀ab') // 3 (the emoji is two UTF-16 units)
 */
export function countCodePoints(text: string): number {
  let count = 0;
  // The string iterator walks code points; a lone surrogate counts as one.
  for (const _ of text) count++;
  return count;
}

/**
 * True when the text holds a lone UTF-16 surrogate. Such a string is not Unicode text: it
 * reaches the hash as U+FFFD, so two different inputs would become the same password.
 */
export function hasLoneSurrogate(text: string): boolean {
  // With the `u` flag a well-formed surrogate pair is one code point, so only lone halves match.
  return /[\uD800-\uDFFF]/u.test(text);
}

/**
 * The form used to compare a password with list entries and context words: NFKC, lower case,
 * surrounding whitespace removed. "PASSWORD " and "password" fold to the same value. Lossy by
 * design; never hash or store it.
 */
export function foldForComparison(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}
