/**
 * @module modules/sessions/tokens
 *
 * Opaque tokens `<id>.<secret>`: the id (with a kind prefix, `at_` or `rt_`) locates the row,
 * the 256-bit secret proves possession. Only HMAC-SHA-256(secret) under the `token-hmac` key is
 * stored, so a database dump yields no usable token, and the id/secret split keeps lookups from
 * becoming a timing oracle on the secret (the secret is compared in constant time).
 *
 * Rotation is deterministic: the tokens that replace a refresh token are derived from its secret
 * under the `token-derivation` key. A client that retries the same rotation (mobile resume race)
 * therefore gets the very same pair back, without the server ever storing a usable secret.
 */
import type { KeyRing } from '../../platform/crypto/index.ts';
import { constantTimeEqual, hmacSha256, randomBase64Url } from '../../platform/crypto/index.ts';

export type TokenKind = 'access' | 'refresh';

const PREFIX: Readonly<Record<TokenKind, string>> = { access: 'at_', refresh: 'rt_' };
const ID_BYTES = 16;
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^(at|rt)_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface TokenParts {
  readonly kind: TokenKind;
  readonly id: string;
  readonly secret: string;
}

export function formatToken(parts: TokenParts): string {
  return `${parts.id}.${parts.secret}`;
}

/** Parses a presented token; anything not exactly of our shape is `undefined` (no lookups for garbage). */
export function parseToken(token: string): TokenParts | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  const [, prefix, body, secret] = match as unknown as [string, string, string, string];
  return { kind: prefix === 'at' ? 'access' : 'refresh', id: `${prefix}_${body}`, secret };
}

export function newToken(kind: TokenKind): TokenParts {
  return { kind, id: PREFIX[kind] + randomBase64Url(ID_BYTES), secret: randomBase64Url(SECRET_BYTES) };
}

export function hashSecret(keyRing: KeyRing, secret: string): string {
  return hmacSha256(keyRing.key('token-hmac'), secret);
}

export function secretMatches(keyRing: KeyRing, secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashSecret(keyRing, secret), storedHash);
}

/** A derived value of `bytes` bytes, base64url, bound to the refresh secret and a label. */
function derive(keyRing: KeyRing, refreshSecret: string, label: string, bytes: number): string {
  const mac = hmacSha256(keyRing.key('token-derivation'), `${label}\u0000${refreshSecret}`);
  return Buffer.from(mac, 'base64url').subarray(0, bytes).toString('base64url');
}

/** The access and refresh tokens that replace the refresh token whose secret is given. */
export function deriveRotation(keyRing: KeyRing, refreshSecret: string): { access: TokenParts; refresh: TokenParts } {
  return {
    access: {
      kind: 'access',
      id: PREFIX.access + derive(keyRing, refreshSecret, 'access-id', ID_BYTES),
      secret: derive(keyRing, refreshSecret, 'access-secret', SECRET_BYTES),
    },
    refresh: {
      kind: 'refresh',
      id: PREFIX.refresh + derive(keyRing, refreshSecret, 'refresh-id', ID_BYTES),
      secret: derive(keyRing, refreshSecret, 'refresh-secret', SECRET_BYTES),
    },
  };
}
