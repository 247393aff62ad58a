/**
 * @module platform/crypto/hmac
 *
 * Keyed hashes for secrets the server must recognise but never store (token secrets, one-time
 * codes), and the constant-time comparison every secret check uses.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA-256 of `data` under `key`, as base64url. */
export function hmacSha256(key: Buffer, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ.
 * Callers compare fixed-length digests, so the length itself reveals nothing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
