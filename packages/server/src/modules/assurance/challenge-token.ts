/**
 * @module modules/assurance/challenge-token
 *
 * Sign-in challenge tokens: `mc_<id>.<secret>`, 128-bit id and 256-bit secret from the CSPRNG.
 * Only HMAC-SHA-256 of the secret (under the `token-hmac` key, domain-separated from session
 * tokens) is stored, so a copy of the table cannot answer a challenge.
 */
import { constantTimeEqual, hmacSha256, randomBase64Url, type KeyRing } from '../../platform/crypto/index.ts';

const PREFIX = 'mc_';
const TOKEN_PATTERN = /^mc_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface ChallengeToken {
  readonly id: string;
  readonly secret: string;
}

export function newChallengeToken(): ChallengeToken {
  return { id: `${PREFIX}${randomBase64Url(16)}`, secret: randomBase64Url(32) };
}

export function formatChallengeToken(token: ChallengeToken): string {
  return `${token.id}.${token.secret}`;
}

export function parseChallengeToken(value: string): ChallengeToken | undefined {
  const match = TOKEN_PATTERN.exec(value);
  return match ? { id: `${PREFIX}${match[1] ?? ''}`, secret: match[2] ?? '' } : undefined;
}

export function hashChallengeSecret(keyRing: KeyRing, secret: string): string {
  return hmacSha256(keyRing.key('token-hmac'), `mfa-challenge\u0000${secret}`);
}

export function challengeSecretMatches(keyRing: KeyRing, secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashChallengeSecret(keyRing, secret), storedHash);
}
