/**
 * @module platform/crypto/digest
 *
 * Unkeyed SHA-256 for values that must be committed to but are not secrets (the action a step-up
 * authorizes). Secrets are never hashed here: they get a keyed HMAC (hmac.ts).
 */
import { createHash } from 'node:crypto';

/** SHA-256 of the UTF-8 encoding of `data`, as base64url (43 characters). */
export function sha256Base64Url(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('base64url');
}
