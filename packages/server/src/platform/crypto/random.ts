/**
 * @module platform/crypto/random
 *
 * Randomness for identifiers, token secrets and one-time codes, from the operating system's
 * CSPRNG. Codes are drawn without modulo bias.
 */
import { randomBytes, randomInt } from 'node:crypto';

/** `bytes` random bytes as unpadded base64url (16 bytes → 22 characters, 128 bits). */
export function randomBase64Url(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** A numeric one-time code of `digits` digits, uniformly distributed. */
export function randomDigits(digits: number): string {
  let code = '';
  for (let i = 0; i < digits; i++) code += String(randomInt(10));
  return code;
}
