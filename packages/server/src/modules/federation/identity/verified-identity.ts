/**
 * @module modules/federation/identity/verified-identity
 *
 * The result of a successful provider sign-in, whichever flow produced it: who the person is
 * at the provider, what the provider says about their address, optionally a provider refresh
 * token (sealed; kept only to revoke it later) and a name to hand to the app once.
 */
import type { FederatedProfile } from '@portcullis/protocol';
import type { ExternalIdentityClaims } from './claims.ts';

export interface SealedProviderToken {
  /** Client id the token was issued to (Apple: Services ID or bundle id); revocation authenticates as it. */
  readonly clientId: string;
  /** Sealed by the token vault, bound to (provider, subject). */
  readonly sealed: string;
}

export interface VerifiedIdentity extends ExternalIdentityClaims {
  readonly providerToken?: SealedProviderToken | undefined;
  readonly profile?: FederatedProfile | undefined;
}

/** The name to hand back to the app, if the provider shared any. */
export function profileOf(
  claims: Pick<ExternalIdentityClaims, 'givenName' | 'familyName'>,
  hint?: FederatedProfile,
): FederatedProfile | undefined {
  const givenName = hint?.givenName ?? claims.givenName;
  const familyName = hint?.familyName ?? claims.familyName;
  if (givenName === undefined && familyName === undefined) return undefined;
  return { ...(givenName === undefined ? {} : { givenName }), ...(familyName === undefined ? {} : { familyName }) };
}
