/**
 * @module modules/sessions/dpop/replay-cache
 *
 * The port the DPoP verifier uses to accept each proof once (RFC 9449 section 11.1). Two
 * implementations: `memory-replay-cache.ts` for a single instance and `redis-replay-cache.ts` for
 * several. An implementation must be atomic (two concurrent calls with the same id: exactly one
 * gets `true`) and must fail closed: when it cannot remember, it throws instead of answering `true`.
 */

export interface ReplayCache {
  /**
   * Records `id` for `ttlSeconds` and returns true if it was not already recorded (first use),
   * false if it was (replay). The verifier passes `<jkt>:<jti>`.
   */
  markUsed(id: string, ttlSeconds: number): Promise<boolean>;
}
