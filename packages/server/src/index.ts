/**
 * @module @portcullis/server
 *
 * Public surface for embedding and testing the server. Internals stay under `platform/` and
 * `modules/` and are not exported.
 */
export { buildApp } from './app.ts';
export type { App, BuildAppOptions } from './app.ts';
export { startServer } from './server.ts';
export type { RunningServer } from './server.ts';
export { loadConfig, ConfigError } from './config/load.ts';
export { threadPoolSizeFor } from './modules/accounts/index.ts';
export type { Config, ConfigOverrides } from './config/schema.ts';
export type { Authenticator, ClientAuthenticator, ClientPrincipal } from './platform/routes/authentication.ts';
export type { Principal } from './platform/routes/principal.ts';
export type { RouteSecurity, AuthRequirement, AssuranceLevel } from './platform/routes/contract.ts';
export { verifyRequest, portcullisGuard, createIntrospectionCache } from './guard/index.ts';
export type { GuardFailure, GuardOptions, GuardRequest, GuardResult, GuardSuccess, PortcullisIdentity } from './guard/index.ts';
