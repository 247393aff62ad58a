/**
 * @module federation/federated-sign-in
 *
 * Federated sign-in and linked providers from the client: signing in with a provider's ID token
 * (native) or the exchange code of a web sign-in, and linking, listing and unlinking providers
 * on the signed-in account. The provider-side steps (nonce, PKCE, return URL) are in
 * `provider-flow`.
 */
import type { FederationProviderList, LinkedIdentity, LinkedIdentityList } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import type { SessionInfo } from '../core/session-info.ts';
import {
  assertLinkId,
  createFederationStart,
  deviceOrDefault,
  dpopThumbprint,
  exchangeBody,
  idTokenBody,
  parseFederatedSignIn,
  parseFederationProviderList,
  parseLinkedIdentity,
  parseLinkedIdentityList,
  type FederatedSignInDetails,
  type FederationStart,
  type IdTokenSignInExtras,
} from './provider-flow.ts';

/** A token request that signs in with a federated credential; stores the tokens like `signIn`. */
async function federatedSignIn(
  client: CoreClient,
  path: string,
  body: Record<string, unknown>,
): Promise<SessionInfo & FederatedSignInDetails> {
  const engine = engineOf(client);
  const ticket = engine.beginSignIn();
  const key = await engine.keyForSignIn();
  const { result, session } = await engine.signInRequest(ticket, path, body, key, parseFederatedSignIn, (signIn) => signIn.tokens);
  return { ...session, ...result.details };
}

/**
 * Signs in with an ID token from the provider's native SDK (Sign in with Apple, Google
 * Credential Manager, AppAuth). The server verifies the token against the provider's keys and
 * the raw nonce, and binds the new session to this device's DPoP key. Creates the account on
 * a first sign-in when the provider vouches for the email address.
 *
 * @param provider The provider id configured on the server, e.g. `apple` or `google`.
 * @param rawNonce `createNonce().raw`; the provider got `sha256Hex` (Apple) or `raw` (Google).
 * @throws {ApiError} `FEDERATION_TOKEN_INVALID`, `FEDERATION_ACCOUNT_EXISTS` (sign in the usual way,
 *   then link), `FEDERATION_EMAIL_NOT_VERIFIED`, `FEDERATION_PROVIDER_UNAVAILABLE`.
 * @example
 *   const nonce = await createNonce();
 *   // … Sign in with Apple with request.nonce = nonce.sha256Hex …
 *   const session = await signInWithIdToken(client, 'apple', credential.identityToken, nonce.raw, {
 *     authorizationCode: credential.authorizationCode,
 *     device: { label: 'Ada’s iPhone', platform: 'ios' },
 *   });
 *   if (session.profile) saveName(session.profile);
 */
export async function signInWithIdToken(
  client: CoreClient,
  provider: string,
  idToken: string,
  rawNonce: string,
  extras: IdTokenSignInExtras = {},
): Promise<SessionInfo & FederatedSignInDetails> {
  const body = { ...idTokenBody(provider, idToken, rawNonce, extras), device: deviceOrDefault(extras.device) };
  return federatedSignIn(client, '/v1/federation/sessions', body);
}

/**
 * The providers this server offers a web sign-in with (those configured with a web client), in
 * the order to show their buttons: Apple, Google, then the others. Public: no session needed.
 *
 * @example
 *   const { providers } = await listFederationProviders(client);
 *   for (const provider of providers) addButton(`Continue with ${provider.name}`, () => begin(provider.id));
 */
export async function listFederationProviders(client: CoreClient): Promise<FederationProviderList> {
  return engineOf(client).publicCall('GET', '/v1/federation/providers', undefined, parseFederationProviderList);
}

/**
 * The URL that starts a web sign-in with `provider`, and the PKCE verifier to keep until the
 * browser comes back. With `bindToDeviceKey`, the exchange code can only be redeemed with
 * this client's DPoP key (RFC 9449 section 10); the key is created now if there is none.
 *
 * @example
 *   const start = await startFederation(client, 'google', 'https://app.example.com/auth/return', { bindToDeviceKey: true });
 *   sessionStorage.setItem('pkce', start.codeVerifier);
 *   location.assign(start.url);
 */
export async function startFederation(
  client: CoreClient,
  provider: string,
  returnTo: string,
  options: { readonly bindToDeviceKey?: boolean } = {},
): Promise<FederationStart> {
  const engine = engineOf(client);
  const dpopJkt = options.bindToDeviceKey === true ? await dpopThumbprint((await engine.keyForSignIn()).publicKey) : undefined;
  return createFederationStart({ baseUrl: engine.options.baseUrl, provider, returnTo, dpopJkt });
}

/**
 * Redeems the exchange code from the return URL of a web sign-in, with the verifier from
 * `startFederation`/`createFederationStart`, for a session bound to this device's DPoP key.
 *
 * @throws {ApiError} `FEDERATION_EXCHANGE_CODE_INVALID` (used, expired, or another verifier), and the sign-in errors of `signInWithIdToken`.
 * @example
 *   const result = readFederationReturn(location.href);
 *   if (result && 'code' in result) await redeemFederationCode(client, result.code, sessionStorage.getItem('pkce') ?? '');
 */
export async function redeemFederationCode(
  client: CoreClient,
  code: string,
  codeVerifier: string,
  device?: IdTokenSignInExtras['device'],
): Promise<SessionInfo & FederatedSignInDetails> {
  return federatedSignIn(client, '/v1/federation/sessions/exchange', {
    ...exchangeBody(code, codeVerifier),
    device: deviceOrDefault(device),
  });
}

/**
 * Links a provider to the signed-in account with an ID token from a native sign-in. This is
 * the only way an existing account gains a provider: never by a matching email address.
 *
 * @throws {ApiError} `FEDERATION_IDENTITY_IN_USE` when that provider account is linked elsewhere.
 */
export async function linkIdentityWithIdToken(
  client: CoreClient,
  provider: string,
  idToken: string,
  rawNonce: string,
  extras: Pick<IdTokenSignInExtras, 'authorizationCode'> = {},
): Promise<LinkedIdentity> {
  const body = idTokenBody(provider, idToken, rawNonce, extras);
  return engineOf(client).authorizedCall('POST', '/v1/federation/links', body, parseLinkedIdentity);
}

/** Links the provider of a completed web sign-in (its exchange code and verifier) to the signed-in account. */
export async function linkIdentityWithCode(client: CoreClient, code: string, codeVerifier: string): Promise<LinkedIdentity> {
  return engineOf(client).authorizedCall('POST', '/v1/federation/links/exchange', exchangeBody(code, codeVerifier), parseLinkedIdentity);
}

/** The providers linked to the signed-in account. */
export async function listLinkedIdentities(client: CoreClient): Promise<LinkedIdentityList> {
  return engineOf(client).authorizedCall('GET', '/v1/federation/links', undefined, parseLinkedIdentityList);
}

/**
 * Unlinks a provider from the signed-in account (the server revokes that provider's tokens).
 *
 * @throws {ApiError} `FEDERATION_LAST_SIGN_IN_METHOD` when it is the account's only way in.
 */
export async function unlinkIdentity(client: CoreClient, id: string): Promise<void> {
  assertLinkId(id);
  await engineOf(client).authorizedCall('DELETE', `/v1/federation/links/${id}`, undefined, () => true);
}
