/**
 * @module modules/sessions/dpop/checks/check-jti
 *
 * RFC 9449 section 4.2: `jti` is required and unique per proof (at least 96 bits of randomness or
 * a UUIDv4). We require 16 to 256 characters: 16 base64url characters carry 96 bits, and the cap
 * bounds what a replay-cache key can cost.
 */
import { fail } from '../failures.ts';

export const JTI_MIN_LENGTH = 16;
export const JTI_MAX_LENGTH = 256;

export function checkJti(claims: Readonly<Record<string, unknown>>): string {
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti.length < JTI_MIN_LENGTH || jti.length > JTI_MAX_LENGTH) fail('jti invalid');
  return jti;
}
