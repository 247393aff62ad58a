/**
 * @module modules/federation/revocation
 *
 * Revokes a stored provider refresh token at the provider (RFC 7009). Sign in with Apple
 * requires apps that create accounts to revoke the user's tokens when the account is deleted
 * (App Store Review Guideline 5.1.1(v)); the same happens when someone unlinks Apple. Apple's
 * revoke endpoint authenticates the client with the same ES256 client secret as the token
 * endpoint, for the client id the token was issued to.
 */
import type { ExternalIdentitiesTable } from '../../platform/db/schema.ts';
import type { FederationDeps } from './deps.ts';
import { loadOpenIdClient } from './libraries.ts';
import { tokenBinding } from './token-vault.ts';

export type RevocationOutcome = 'revoked' | 'nothing_to_revoke' | 'failed';

export async function revokeProviderToken(
  deps: Pick<FederationDeps, 'providers' | 'vault'>,
  identity: Pick<ExternalIdentitiesTable, 'provider' | 'subject' | 'provider_token' | 'provider_client_id'>,
): Promise<RevocationOutcome> {
  const provider = deps.providers.get(identity.provider);
  if (!provider || identity.provider_token === null) return 'nothing_to_revoke';
  const token = deps.vault.open(identity.provider_token, tokenBinding(identity.provider, identity.subject));
  if (token === undefined) return 'failed';
  try {
    const client = await provider.client(identity.provider_client_id ?? provider.settings.clientId);
    const openid = await loadOpenIdClient();
    await openid.tokenRevocation(client, token, { token_type_hint: 'refresh_token' });
    return 'revoked';
  } catch {
    return 'failed';
  }
}
