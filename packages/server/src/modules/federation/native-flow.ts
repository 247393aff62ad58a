/**
 * @module modules/federation/native-flow
 *
 * Native sign-in: the app signed the person in with the provider's SDK (Sign in with Apple on
 * iOS, Google's Credential Manager on Android, AppAuth elsewhere) and posts the ID token with
 * the raw nonce it generated. The token is verified against the provider's keys (signature,
 * issuer, audience = a configured client/bundle id, expiry, age) and its `nonce` claim against
 * the raw nonce — Apple's convention puts the hex SHA-256 of the raw nonce in the token, Google
 * puts the raw value. Each nonce is accepted once per provider until the token expires, so an
 * intercepted (token, nonce) pair cannot be replayed for a second session (ASVS V10.5.1).
 *
 * Apple also hands native apps an authorization code. When the app sends it, the server
 * redeems it with an ES256 client secret for the token's own client id (the bundle id) and
 * keeps Apple's refresh token, sealed, so it can revoke it when the person unlinks or deletes
 * their account.
 */
import type { JWTPayload } from 'jose';
import type * as oidc from 'openid-client';
import { appError } from '../../platform/errors/app-error.ts';
import type { FederationDeps } from './deps.ts';
import { sha256Base64Url, sha256Hex } from './digest.ts';
import { identityFromClaims } from './identity/claims.ts';
import { tokenInvalid, verifyProviderJwt } from './identity/verify-id-token.ts';
import { profileOf, type SealedProviderToken, type VerifiedIdentity } from './identity/verified-identity.ts';
import { loadOpenIdClient } from './libraries.ts';
import type { Provider } from './providers/provider.ts';
import { providerFailure } from './providers/provider-errors.ts';
import * as repo from './repository.ts';
import { tokenBinding } from './token-vault.ts';

export interface NativeSignInInput {
  readonly provider: string;
  readonly idToken: string;
  /** The raw nonce the app generated. */
  readonly nonce: string;
  readonly authorizationCode?: string | undefined;
}

/** @throws {AppError} FEDERATION_PROVIDER_UNKNOWN */
export function providerById(deps: FederationDeps, id: string): Provider {
  const provider = deps.providers.get(id);
  if (!provider) throw appError('FEDERATION_PROVIDER_UNKNOWN', { detail: 'unknown provider id' });
  return provider;
}

/** The audience the token was issued to (the client id whose code, if any, Apple issued with it). */
function issuedTo(claims: JWTPayload, audiences: readonly string[]): string | undefined {
  if (typeof claims['azp'] === 'string') return claims['azp'];
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  return aud.find((value): value is string => typeof value === 'string' && audiences.includes(value));
}

async function redeemAppleCode(
  deps: FederationDeps,
  provider: Provider,
  input: { readonly code: string; readonly clientId: string; readonly subject: string },
): Promise<SealedProviderToken | undefined> {
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  try {
    const openid = await loadOpenIdClient();
    tokens = await openid.genericGrantRequest(await provider.client(input.clientId), 'authorization_code', { code: input.code });
  } catch (error) {
    throw await providerFailure(error, provider.settings.id);
  }
  // The code must belong to the same person as the ID token it came with.
  if (tokens.claims()?.sub !== input.subject) throw tokenInvalid('bad_code_subject');
  if (tokens.refresh_token === undefined) return undefined;
  return { clientId: input.clientId, sealed: deps.vault.seal(tokens.refresh_token, tokenBinding(provider.settings.id, input.subject)) };
}

/**
 * Verifies a native sign-in and returns the identity.
 *
 * @throws {AppError} FEDERATION_PROVIDER_UNKNOWN, FEDERATION_TOKEN_INVALID, FEDERATION_PROVIDER_UNAVAILABLE, FEDERATION_AUTHORIZATION_FAILED.
 */
export async function verifyNativeSignIn(deps: FederationDeps, input: NativeSignInInput): Promise<VerifiedIdentity> {
  const provider = providerById(deps, input.provider);
  const { settings } = provider;
  const now = deps.clock.now();
  const expectedNonce = settings.nativeNonce === 'sha256-hex' ? sha256Hex(input.nonce) : input.nonce;
  const claims = await verifyProviderJwt(provider, input.idToken, {
    audiences: settings.audiences,
    nonce: expectedNonce,
    maxAgeSeconds: deps.limits.idTokenMaxAgeSeconds,
    now,
    clockToleranceSeconds: deps.limits.clockToleranceSeconds,
  });
  const identity = identityFromClaims(settings, claims);
  // Single use: remembered until the token could no longer be accepted anyway.
  const acceptableUntil = ((claims.exp ?? 0) + deps.limits.clockToleranceSeconds) * 1000;
  if (!(await repo.claimOnce(deps.db, sha256Base64Url(`id-token-nonce\0${settings.id}\0${expectedNonce}`), acceptableUntil, now))) {
    throw tokenInvalid('replayed');
  }
  let providerToken: SealedProviderToken | undefined;
  if (input.authorizationCode !== undefined && settings.kind === 'apple') {
    const clientId = issuedTo(claims, settings.audiences);
    if (clientId === undefined) throw tokenInvalid('bad_aud');
    providerToken = await redeemAppleCode(deps, provider, { code: input.authorizationCode, clientId, subject: identity.subject });
  }
  return { ...identity, providerToken, profile: profileOf(identity) };
}
