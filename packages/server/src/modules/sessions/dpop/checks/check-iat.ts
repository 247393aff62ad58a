/**
 * @module modules/sessions/dpop/checks/check-iat
 *
 * RFC 9449 section 4.3 step 11 and section 11.1: the proof was created recently. `iat` must lie in
 * `[now - proofMaxAgeSeconds, now + 5 s]`; the 5 s allow for a client clock slightly ahead. This
 * window is also what bounds how long the replay cache must remember a `jti` (ASVS V9.2.1).
 */
import { fail } from '../failures.ts';

/** How far in the future `iat` may be, for clients whose clock runs slightly fast. */
export const IAT_FUTURE_LEEWAY_SECONDS = 5;

export function checkIat(claims: Readonly<Record<string, unknown>>, nowMs: number, proofMaxAgeSeconds: number): number {
  const iat = claims['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) fail('iat missing');
  const now = nowMs / 1000;
  if (iat < now - proofMaxAgeSeconds) fail('iat too old');
  if (iat > now + IAT_FUTURE_LEEWAY_SECONDS) fail('iat in the future');
  return iat;
}
