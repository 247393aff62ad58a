/**
 * @module modules/federation/revocation
 *
 * Revokes a stored provider refresh token at the provider (RFC 7009). Sign in with Apple
 * requires apps that create accounts to revoke the user's tokens when the account is deleted
 * (App Store Review Guideline 5.1.1(v)); the same happens when someone unlinks Apple. Apple's
 * revoke endpoint authenticates the client with the same ES256 client secret as the token
 * endpoint, for the client id the token was issued to. Each attempt is audited with its outcome
 * (`revoked` or `failed`); an identity without a stored token has nothing to revoke or record.
 */
import type { ExternalIdentitiesTable } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import { loadOpenIdClient } from './libraries.ts';
import { tokenBinding } from './token-vault.ts';

type RevocationOutcome = 'revoked' | 'nothing_to_revoke' | 'failed';

type RevocableIdentity = Pick<ExternalIdentitiesTable, 'account_id' | 'provider' | 'subject' | 'provider_token' | 'provider_client_id'>;

/** Revokes the identity's stored token at its provider and audits the outcome for the identity's account. */
export async function revokeProviderToken(
  deps: Pick<FederationDeps, 'providers' | 'vault'>,
  identity: RevocableIdentity,
  context: RequestContext,
): Promise<void> {
  const outcome = await revokeAtProvider(deps, identity);
  if (outcome === 'nothing_to_revoke') return;
  await context.audit('federation.provider_token_revoked', {
    outcome: outcome === 'revoked' ? 'success' : 'failure',
    subject: identity.account_id,
    detail: outcome,
  });
}

async function revokeAtProvider(
  deps: Pick<FederationDeps, 'providers' | 'vault'>,
  identity: RevocableIdentity,
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
