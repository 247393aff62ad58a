/**
 * @module modules/federation/apple/client-secret
 *
 * Sign in with Apple has no static client secret: the client authenticates with a JWT it signs
 * itself with the `.p8` key from the developer portal (ES256; `iss` = Team ID, `sub` = the
 * client id — Services ID for the web flow, bundle id for native codes — `aud` =
 * `https://appleid.apple.com`, `kid` = Key ID, lifetime at most 6 months). See Apple's
 * "Creating a client secret". One JWT per client id is kept and re-signed before it expires,
 * so a long-running server never sends an expired secret.
 */
import { sign } from 'node:crypto';
import type { AppleCredentials } from '../providers/settings.ts';

/** Apple refuses client secrets valid for longer than 15,777,000 seconds (6 months). */
export const APPLE_MAX_CLIENT_SECRET_TTL_SECONDS = 15_777_000;

export interface AppleClientSecrets {
  /** A valid client secret JWT for `clientId`, signed now or reused while comfortably valid. */
  secretFor(clientId: string): string;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * @param options.audience The provider's issuer (`https://appleid.apple.com`; a test provider's issuer in tests).
 * @param options.now Clock in epoch milliseconds.
 */
export function createAppleClientSecrets(options: {
  readonly credentials: AppleCredentials;
  readonly audience: string;
  readonly now: () => number;
}): AppleClientSecrets {
  const { credentials } = options;
  const ttl = Math.min(credentials.clientSecretTtlSeconds, APPLE_MAX_CLIENT_SECRET_TTL_SECONDS);
  // Re-sign when less than a tenth of the lifetime (at most 5 minutes) is left: a secret never
  // expires between being read here and reaching Apple.
  const margin = Math.min(300, Math.floor(ttl / 10));
  const cache = new Map<string, { readonly jwt: string; readonly expiresAt: number }>();
  return {
    secretFor(clientId) {
      const nowSeconds = Math.floor(options.now() / 1000);
      const cached = cache.get(clientId);
      if (cached && nowSeconds < cached.expiresAt - margin) return cached.jwt;
      const expiresAt = nowSeconds + ttl;
      const signingInput = `${base64url({ alg: 'ES256', kid: credentials.keyId })}.${base64url({
        iss: credentials.teamId,
        iat: nowSeconds,
        exp: expiresAt,
        aud: options.audience,
        sub: clientId,
      })}`;
      // JWS ES256 signatures are the raw r||s form (RFC 7518 section 3.4), not DER.
      const signature = sign('sha256', Buffer.from(signingInput), { key: credentials.privateKey, dsaEncoding: 'ieee-p1363' });
      const jwt = `${signingInput}.${signature.toString('base64url')}`;
      cache.set(clientId, { jwt, expiresAt });
      return jwt;
    },
  };
}
