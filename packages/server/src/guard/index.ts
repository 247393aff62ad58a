/**
 * @module @portcullis/server/guard
 *
 * Protect the app team's own services with Portcullis access tokens: `verifyRequest` for any
 * framework, `portcullisGuard` for Fastify. Each request must carry `Authorization: DPoP
 * <token>` and a fresh DPoP proof for that service's URL, signed by the device key the token is
 * bound to; the token is checked by introspection (RFC 7662) at Portcullis with the service's
 * client credentials. Positive answers are cached for at most 30 s (configurable down to 0), so
 * revoking a session takes effect at the service within that window.
 */
export { verifyRequest, DPOP_CHALLENGE } from './verify-request.ts';
export type { GuardFailure, GuardOptions, GuardRequest, GuardResult, GuardSuccess, PortcullisIdentity } from './verify-request.ts';
export { portcullisGuard } from './fastify.ts';
export { createIntrospectionCache, MAX_CACHE_TTL_SECONDS } from './introspection-cache.ts';
export type { ActiveToken, IntrospectionCache, IntrospectionCacheOptions } from './introspection-cache.ts';
export { createMemoryReplayCache, createRedisReplayCache } from '../modules/sessions/index.ts';
export type { ReplayCache } from '../modules/sessions/index.ts';
