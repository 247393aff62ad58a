/**
 * @module modules/sessions
 *
 * Sessions: the only place tokens are minted (`issueSession`), rotated and checked. Other
 * modules import from here only.
 */
export { authenticateAccessToken, issueSession, listSessions, revokeSessions } from './service.ts';
export type { IssueSessionInput, SessionsDeps, SessionsRevokedHook } from './service.ts';
export { createSessionAuthenticator, dpopAccessToken } from './authenticator.ts';
export { bearerBinding, bearerClientOf } from './binding.ts';
export { deviceStanding, rememberDevice } from './known-devices.ts';
export { restrictionOf, storedRestriction } from './restriction.ts';
export type { DeviceStanding, RememberedDevice } from './known-devices.ts';
export { createTokenRequestProof, registerDPoPNonceAdvertising } from './token-request.ts';
export type { TokenRequestProof } from './token-request.ts';
export { sessionsRoutes } from './routes.ts';
export { buildHtu, checkProofBinding, createDPoPVerifier, createMemoryReplayCache, createRedisReplayCache } from './dpop/index.ts';
export type { DPoPVerifier, ReplayCache } from './dpop/index.ts';
export { forgetSessionsOf, sessionsHeldAbout } from './held.ts';
export type { SessionsForgotten } from './held.ts';
