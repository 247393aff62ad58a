/**
 * @module modules/federation/digest
 *
 * SHA-256 as base64url: how flows, exchange codes and replay-guard entries are keyed, so the
 * database holds no value that would itself complete a sign-in.
 */
import { createHash } from 'node:crypto';

export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Apple's native nonce convention: the app hands Apple the hex SHA-256 of its raw nonce. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
