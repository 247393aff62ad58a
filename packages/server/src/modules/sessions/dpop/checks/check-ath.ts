/**
 * @module modules/sessions/dpop/checks/check-ath
 *
 * RFC 9449 section 4.3 step 12 and section 7.1: with an access token, `ath` must equal
 * base64url(SHA-256(ASCII(token))), compared in constant time, so a proof cannot be moved to
 * another token. Without an access token (sign-in, refresh), `ath` must be absent: the RFC only
 * defines it alongside an access token, and refusing it keeps a proof made for an authenticated
 * call from being spent on an unauthenticated one (decision recorded here; the SDK never sends it there).
 */
import { sha256Base64Url } from '../../../../platform/crypto/jwk.ts';
import { constantTimeEqual } from '../../../../platform/crypto/hmac.ts';
import { fail } from '../failures.ts';

export function checkAth(claims: Readonly<Record<string, unknown>>, accessToken: string | undefined): void {
  const ath = claims['ath'];
  if (accessToken === undefined) {
    if (Object.hasOwn(claims, 'ath')) fail('ath without access token');
    return;
  }
  if (typeof ath !== 'string') fail('ath missing');
  if (!constantTimeEqual(ath, sha256Base64Url(accessToken))) fail('ath mismatch');
}
