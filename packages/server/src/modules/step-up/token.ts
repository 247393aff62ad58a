/**
 * @module modules/step-up/token
 *
 * Step-up challenge tokens: `su_<id>.<secret>`, a 128-bit id and a 256-bit secret from the
 * CSPRNG. Only HMAC-SHA-256 of the secret (under the `token-hmac` key, domain-separated from
 * session tokens and sign-in challenges) is stored, so a copy of the table answers nothing, and
 * the secret is compared in constant time (the id finds the row, the secret proves possession).
 */
import { STEP_UP_TOKEN_PATTERN } from '@portcullis/protocol';
import { constantTimeEqual, hmacSha256, randomBase64Url, type KeyRing } from '../../platform/crypto/index.ts';

const PREFIX = 'su_';
const TOKEN_PATTERN = new RegExp(STEP_UP_TOKEN_PATTERN);

export interface StepUpToken {
  readonly id: string;
  readonly secret: string;
}

export function newStepUpToken(): StepUpToken {
  return { id: `${PREFIX}${randomBase64Url(16)}`, secret: randomBase64Url(32) };
}

export function formatStepUpToken(token: StepUpToken): string {
  return `${token.id}.${token.secret}`;
}

export function parseStepUpToken(value: string): StepUpToken | undefined {
  if (!TOKEN_PATTERN.test(value)) return undefined;
  const dot = value.indexOf('.');
  return { id: value.slice(0, dot), secret: value.slice(dot + 1) };
}

export function hashStepUpSecret(keyRing: KeyRing, secret: string): string {
  return hmacSha256(keyRing.key('token-hmac'), `step-up-challenge\u0000${secret}`);
}

export function stepUpSecretMatches(keyRing: KeyRing, secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashStepUpSecret(keyRing, secret), storedHash);
}
