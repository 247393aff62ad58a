/**
 * @module modules/federation/sign-in
 *
 * From a verified external identity to a session. The identity is (provider id, subject) —
 * never an email address (ASVS V6.8.1, V10.5.2):
 *
 * - a linked identity signs in to its account (unless the account is locked);
 * - an unknown identity with a provider-verified address that no account uses gets a new
 *   account (default roles, address verified because the provider said so);
 * - an unknown identity whose verified address already belongs to an account is refused with
 *   `FEDERATION_ACCOUNT_EXISTS`, and nothing is linked: the owner must sign in to that account
 *   and link the provider from there. Silently linking by email would hand the account to
 *   anyone who can get a provider to assert that address. The refusal tells the caller that
 *   the address has an account — but the caller has just proved, through the provider, that
 *   they control that address, which is what a password-reset email would tell them too;
 * - an unknown identity without a provider-verified address is refused
 *   (`FEDERATION_EMAIL_NOT_VERIFIED`) whether or not the address has an account, so an
 *   unverified claim cannot be used to probe for accounts.
 *
 * A federated sign-in counts as one factor (`amr: ['fed']`): providers do not reliably tell how
 * strongly they authenticated the person (ASVS V6.8.4). It goes through the assurance module's
 * `completeFirstFactor`, exactly like a password, so an account with a second factor (or a role
 * that needs one) gets `MFA_REQUIRED` or an enrol-only session, and every session is still
 * minted by the sessions module's `issueSession`.
 */
import type { FederatedSignInResponse } from '@portcullis/protocol';
import { randomUUID } from 'node:crypto';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { createExternalAccount, findAccountSignInState } from '../accounts/index.ts';
import { completeFirstFactor } from '../assurance/index.ts';
import type { IssueSessionInput } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import type { VerifiedIdentity } from './identity/verified-identity.ts';
import * as repo from './repository.ts';

/** RFC 8176 has no value for "federated"; `fed` is ours, documented in docs/federation.md. */
export const FEDERATED_AMR = ['fed'] as const;

type Resolution =
  | { readonly accountId: string; readonly created: boolean; readonly roles: readonly string[] }
  | { readonly refused: 'account_locked' | 'email_not_verified' | 'account_exists'; readonly accountId?: string };

const REFUSALS = {
  account_locked: 'FEDERATION_SIGN_IN_REFUSED',
  email_not_verified: 'FEDERATION_EMAIL_NOT_VERIFIED',
  account_exists: 'FEDERATION_ACCOUNT_EXISTS',
} as const;

function resolveAccount(deps: FederationDeps, identity: VerifiedIdentity, context: RequestContext): Promise<Resolution> {
  return withTransaction(deps.db, async (tx): Promise<Resolution> => {
    const now = deps.clock.now();
    const existing = await repo.findIdentity(tx, identity.provider, identity.subject);
    if (existing) {
      const state = await findAccountSignInState(tx, existing.account_id);
      if (state?.status !== 'active') return { refused: 'account_locked', accountId: existing.account_id };
      await repo.recordIdentityUse(deps.dataProtection, tx, existing, identityUse(identity, now));
      const accountId = existing.account_id;
      await context.audit('federation.signed_in', { actor: accountId, subject: accountId, detail: identity.provider }, tx);
      return { accountId, created: false, roles: state.roles };
    }
    if (identity.email === null || !identity.emailVerified) return { refused: 'email_not_verified' };
    const accountId = await createExternalAccount(deps.dataProtection, tx, { email: identity.email, emailVerified: true, now });
    if (accountId === undefined) return { refused: 'account_exists' };
    if (!(await repo.insertIdentity(deps.dataProtection, tx, identityRow(identity, accountId, now)))) {
      // The same identity was linked meanwhile by a concurrent first sign-in: start over.
      throw new ConcurrentFirstSignIn();
    }
    const roles = (await findAccountSignInState(tx, accountId))?.roles ?? [];
    await context.audit('federation.account_created', { actor: accountId, subject: accountId, detail: identity.provider }, tx);
    await context.audit('federation.signed_in', { actor: accountId, subject: accountId, detail: identity.provider }, tx);
    return { accountId, created: true, roles };
  });
}

class ConcurrentFirstSignIn extends Error {}

/** What a fresh verification refreshes on a known identity: what the provider says now, and a new token if it sent one. */
export function identityUse(identity: VerifiedIdentity, now: number) {
  return {
    email: identity.email,
    email_verified: identity.emailVerified ? 1 : 0,
    is_private_email: identity.isPrivateEmail ? 1 : 0,
    last_used_at: now,
    ...(identity.providerToken
      ? { provider_client_id: identity.providerToken.clientId, provider_token: identity.providerToken.sealed }
      : {}),
  };
}

export function identityRow(identity: VerifiedIdentity, accountId: string, now: number): repo.IdentityRecord {
  return {
    id: randomUUID(),
    account_id: accountId,
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email,
    email_verified: identity.emailVerified ? 1 : 0,
    is_private_email: identity.isPrivateEmail ? 1 : 0,
    email_forwarding_disabled_at: null,
    provider_client_id: identity.providerToken?.clientId ?? null,
    provider_token: identity.providerToken?.sealed ?? null,
    last_event_at: null,
    created_at: now,
    last_used_at: now,
  };
}

/**
 * Signs in (or up) with a verified identity and mints a session bound to `jkt`.
 *
 * @throws {AppError} FEDERATION_ACCOUNT_EXISTS, FEDERATION_EMAIL_NOT_VERIFIED, FEDERATION_SIGN_IN_REFUSED, MFA_REQUIRED.
 */
export async function signInWithIdentity(
  deps: FederationDeps,
  identity: VerifiedIdentity,
  input: { readonly jkt: string; readonly device: IssueSessionInput['device'] },
  context: RequestContext,
): Promise<FederatedSignInResponse> {
  const attempt = async (): Promise<Resolution | undefined> => {
    try {
      return await resolveAccount(deps, identity, context);
    } catch (error) {
      if (error instanceof ConcurrentFirstSignIn) return undefined;
      throw error;
    }
  };
  let resolution = await attempt();
  // A concurrent first sign-in of this same identity may have just created the account (its
  // address then looks taken, or its link appeared under us): one more look finds the link.
  if (resolution === undefined || ('refused' in resolution && resolution.refused === 'account_exists')) {
    resolution = (await attempt()) ?? { refused: 'account_exists' };
  }
  if ('refused' in resolution) {
    const accountId = resolution.accountId ?? null;
    await context.audit('federation.sign_in_failed', {
      outcome: 'failure',
      actor: accountId,
      subject: accountId,
      detail: resolution.refused,
    });
    throw appError(REFUSALS[resolution.refused], { detail: resolution.refused });
  }
  // The federated sign-in is a first factor like a password: the account's role policy and
  // enrolled factors decide whether it yields a session, MFA_REQUIRED or an enrol-only session.
  const tokens = await completeFirstFactor(
    deps.assurance,
    { accountId: resolution.accountId, roles: resolution.roles, amr: FEDERATED_AMR, jkt: input.jkt, device: input.device },
    context,
  );
  return { ...tokens, accountCreated: resolution.created, ...(identity.profile ? { profile: identity.profile } : {}) };
}
