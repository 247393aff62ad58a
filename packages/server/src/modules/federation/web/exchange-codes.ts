/**
 * @module modules/federation/web/exchange-codes
 *
 * The hand-over from the browser flow to the app. When the provider's answer checks out, the
 * server keeps the verified identity for a short time under a one-time code and sends the
 * browser to the app's return URL with that code. The app redeems it with a DPoP proof and the
 * PKCE code verifier whose S256 challenge it gave at `start` (RFC 7636 applied to our own
 * hand-over): a code that leaks (browser history, a hijacked custom scheme, a log) is useless
 * without the verifier that never left the app, and a code injected into someone else's app
 * fails for the same reason. With `dpopJkt` at `start`, only that DPoP key can redeem it
 * (RFC 9449 section 10).
 *
 * Codes are 256-bit random, stored as SHA-256 only, live `exchangeCodeTtlSeconds`, and are
 * consumed before the verifier is checked, so a wrong guess burns the code.
 */
import type { DataProtection } from '../../../platform/data-protection/index.ts';
import type { Kysely } from 'kysely';
import { constantTimeEqual, randomBase64Url } from '../../../platform/crypto/index.ts';
import { appError } from '../../../platform/errors/app-error.ts';
import type { Database, FederationFlowsTable } from '../../../platform/db/schema.ts';
import { sha256Base64Url } from '../digest.ts';
import type { VerifiedIdentity } from '../identity/verified-identity.ts';
import * as repo from '../repository.ts';

export async function issueExchangeCode(
  dataProtection: DataProtection,
  db: Kysely<Database>,
  input: { readonly flow: FederationFlowsTable; readonly identity: VerifiedIdentity; readonly now: number; readonly ttlSeconds: number },
): Promise<string> {
  const code = randomBase64Url(32);
  const { identity } = input;
  await repo.insertExchangeCode(dataProtection, db, {
    id: sha256Base64Url(code),
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email,
    email_verified: identity.emailVerified ? 1 : 0,
    is_private_email: identity.isPrivateEmail ? 1 : 0,
    profile: identity.profile ? JSON.stringify(identity.profile) : null,
    provider_client_id: identity.providerToken?.clientId ?? null,
    provider_token: identity.providerToken?.sealed ?? null,
    code_challenge: input.flow.code_challenge,
    dpop_jkt: input.flow.dpop_jkt,
    created_at: input.now,
    expires_at: input.now + input.ttlSeconds * 1000,
  });
  return code;
}

/**
 * Redeems a code once.
 *
 * @param input.jkt Thumbprint of the DPoP key of this request, when the route verified a token-request proof.
 * @throws {AppError} FEDERATION_EXCHANGE_CODE_INVALID (the reason is in `detail`).
 */
export async function redeemExchangeCode(
  dataProtection: DataProtection,
  db: Kysely<Database>,
  input: { readonly code: string; readonly codeVerifier: string; readonly jkt: string | undefined; readonly now: number },
): Promise<VerifiedIdentity> {
  const row = await repo.consumeExchangeCode(dataProtection, db, sha256Base64Url(input.code));
  const invalid = (reason: string) => appError('FEDERATION_EXCHANGE_CODE_INVALID', { detail: reason });
  if (!row) throw invalid('unknown_or_used');
  if (row.expires_at <= input.now) throw invalid('expired');
  if (!constantTimeEqual(sha256Base64Url(input.codeVerifier), row.code_challenge)) throw invalid('verifier_mismatch');
  if (row.dpop_jkt !== null && input.jkt !== undefined && !constantTimeEqual(row.dpop_jkt, input.jkt)) throw invalid('dpop_key_mismatch');
  return {
    provider: row.provider,
    subject: row.subject,
    email: row.email,
    emailVerified: row.email_verified === 1,
    isPrivateEmail: row.is_private_email === 1,
    ...(row.profile === null ? {} : { profile: JSON.parse(row.profile) as VerifiedIdentity['profile'] }),
    ...(row.provider_token !== null && row.provider_client_id !== null
      ? { providerToken: { clientId: row.provider_client_id, sealed: row.provider_token } }
      : {}),
  };
}
