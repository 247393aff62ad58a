/**
 * @module modules/sessions/dpop
 *
 * DPoP (RFC 9449) proof verification for the sessions module: the verifier, the `htu` builder,
 * the token-binding check, stateless server nonces and the two replay caches. Framework-free;
 * the sessions module's hook calls it. Not a public surface of the server: other modules go
 * through `modules/sessions/index.ts`.
 */
export { createDPoPVerifier, checkProofBinding } from './verify-proof.ts';
export type { DPoPConfig, DPoPRequest, DPoPVerifier, DPoPVerifierDeps, VerifiedDPoPProof } from './verify-proof.ts';
export { buildHtu, normalizeHtu } from './htu.ts';
export { createDPoPNonces } from './nonce.ts';
export type { DPoPNonceOptions, DPoPNonces } from './nonce.ts';
export type { ReplayCache } from './replay-cache.ts';
export { createMemoryReplayCache } from './memory-replay-cache.ts';
export type { MemoryReplayCacheOptions } from './memory-replay-cache.ts';
export { REDIS_REPLAY_NAMESPACE, createRedisReplayCache } from './redis-replay-cache.ts';
export type { RedisReplayCacheOptions } from './redis-replay-cache.ts';
export { DPOP_INVALID_REASONS, DPOP_NONCE_REASONS, INVALID_PROOF_CHALLENGE, USE_NONCE_CHALLENGE } from './failures.ts';
export type { DPoPFailureReason } from './failures.ts';
export { MAX_PROOF_LENGTH } from './checks/parse-proof.ts';
