/**
 * @module @portcullis/sdk/federation
 *
 * Sign in with Apple, Google and OpenID Connect providers: natively with an ID token, or on the
 * web with a redirect and an exchange code; linking providers to the signed-in account.
 *
 * @example
 *   import { createNonce, signInWithIdToken } from '@portcullis/sdk/federation';
 *
 *   const nonce = await createNonce();
 *   // … the provider's SDK signs the person in with nonce.sha256Hex (Apple) or nonce.raw (Google) …
 *   await signInWithIdToken(client, 'apple', idToken, nonce.raw, { device: { label: 'iPhone', platform: 'ios' } });
 */
export {
  linkIdentityWithCode,
  linkIdentityWithIdToken,
  listFederationProviders,
  listLinkedIdentities,
  redeemFederationCode,
  signInWithIdToken,
  startFederation,
  unlinkIdentity,
} from './federated-sign-in.ts';
export { createFederationStart, createNonce, readFederationReturn } from './provider-flow.ts';
export type { FederatedSignInDetails, FederationNonce, FederationReturn, FederationStart, IdTokenSignInExtras } from './provider-flow.ts';
