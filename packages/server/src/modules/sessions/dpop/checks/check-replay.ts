/**
 * @module modules/sessions/dpop/checks/check-replay
 *
 * RFC 9449 section 11.1: a proof is accepted once. Runs last, after the signature and every claim,
 * so only proofs that would otherwise be accepted take space in the cache. The id is scoped by
 * the key thumbprint (`<jkt>:<jti>`), so one client cannot burn another's `jti`. The TTL covers
 * the whole time the `iat` check could accept the proof (ASVS V10.3.5).
 */
import type { ReplayCache } from '../replay-cache.ts';
import { fail } from '../failures.ts';

export async function checkReplay(replayCache: ReplayCache, jkt: string, jti: string, ttlSeconds: number): Promise<void> {
  if (!(await replayCache.markUsed(`${jkt}:${jti}`, ttlSeconds))) fail('jti replayed');
}
