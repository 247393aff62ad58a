/**
 * @module @portcullis/sdk/core
 *
 * The smallest useful client: `CoreClient` (the session on this device and authenticated
 * `fetch`), the in-memory stores, the errors and their guards, and the DPoP primitives. Pair it
 * with the feature functions of the other subpaths; an app that signs in and calls `fetch`
 * needs this and `@portcullis/sdk/sessions` only.
 *
 * @example
 *   import { CoreClient, MemoryTokenStore } from '@portcullis/sdk/core';
 *   import { signIn } from '@portcullis/sdk/sessions';
 *
 *   const client = new CoreClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 *   await signIn(client, { email, password, device: { label: 'Web', platform: 'web' } });
 *   const response = await client.fetch('/v1/accounts/me');
 */
export { CoreClient } from './core-client.ts';
export type { SessionInfo } from './session-info.ts';
export type { PortcullisClientOptions } from '../client-options.ts';
export type { Clock } from '../clock.ts';

export { ApiError, CLIENT_ERROR_CODES, ClientError, isApiError, isClientError, isMfaRequired } from '../errors.ts';
export type { ApiErrorInit, ClientErrorCode, ClientErrorOptions } from '../errors.ts';
export { InsufficientAuthenticationError, isInsufficientAuthentication } from '../insufficient-authentication.ts';
export type { AssuranceLevel, FactorKind } from '../insufficient-authentication.ts';

export { createDpopKey } from '../dpop/create-dpop-key.ts';
export { signDpopProof } from '../dpop/sign-dpop-proof.ts';
export type { DpopProofHeader, DpopProofPayload, SignDpopProofOptions } from '../dpop/sign-dpop-proof.ts';
export type { DpopPublicJwk } from '../dpop/dpop-key-pair.ts';
export { MemoryDpopKeyStore } from '../dpop/key-store.ts';
export type { DpopKeyStore } from '../dpop/key-store.ts';

export { MemoryTokenStore } from '../storage/token-store.ts';
export { IndexedDbSessionStore, type IndexedDbSessionStoreOptions } from '../storage/indexeddb-session-store.ts';
export type { StoredTokens, TokenStore } from '../storage/token-store.ts';
