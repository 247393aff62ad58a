/**
 * @module modules/federation/links
 *
 * Linking an external identity to an account happens only here, and only for the account whose
 * signed-in session asks (routes declared `aal1`): the person proves control of both sides at
 * once — the account by its DPoP-bound session, the external identity by a freshly verified ID
 * token or exchange code. Nothing is ever linked because two email addresses match.
 *
 * Unlinking is scoped to the caller's account in the query, refuses to remove the last way in
 * (no password and no other link), and revokes the provider's stored refresh token.
 */
import type { LinkedIdentity } from '@portcullis/protocol';
import { withTransaction, type Tx } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import { findAccountSignInState } from '../accounts/index.ts';
import { factorInventory } from '../assurance/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import type { VerifiedIdentity } from './identity/verified-identity.ts';
import * as repo from './repository.ts';
import { revokeProviderToken } from './revocation.ts';
import { identityRow, identityUse } from './sign-in.ts';

export function toLinkedIdentity(row: repo.IdentityRecord): LinkedIdentity {
  return {
    id: row.id,
    provider: row.provider,
    email: row.email,
    emailVerified: row.email_verified === 1,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: new Date(row.last_used_at).toISOString(),
  };
}

/** The signed-in account asking; its session and the request are the audit door's to record. */
export interface Caller {
  readonly accountId: string;
}

/** @throws {AppError} FEDERATION_IDENTITY_IN_USE when the identity belongs to another account. */
export async function linkIdentity(
  deps: FederationDeps,
  caller: Caller,
  identity: VerifiedIdentity,
  context: RequestContext,
): Promise<LinkedIdentity> {
  const outcome = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const existing = await repo.findIdentity(tx, identity.provider, identity.subject);
    if (existing && existing.account_id !== caller.accountId) return { refused: 'identity_in_use' as const };
    if (existing) {
      // Linking again is a no-op apart from refreshing what the provider says.
      const update = identityUse(identity, now);
      await repo.recordIdentityUse(deps.dataProtection, tx, existing, update);
      return { linked: { ...(await repo.openIdentity(deps.dataProtection, tx, existing)), ...update } };
    }
    const row = identityRow(identity, caller.accountId, now);
    if (!(await repo.insertIdentity(deps.dataProtection, tx, row))) return { refused: 'identity_in_use' as const };
    await context.audit('federation.identity_linked', { subject: caller.accountId, detail: identity.provider }, tx);
    return { linked: row };
  });
  if ('refused' in outcome) {
    await context.audit('federation.link_refused', { outcome: 'failure', subject: caller.accountId, detail: outcome.refused });
    throw appError('FEDERATION_IDENTITY_IN_USE', { detail: outcome.refused });
  }
  return toLinkedIdentity(outcome.linked);
}

export async function listLinkedIdentities(deps: FederationDeps, accountId: string): Promise<LinkedIdentity[]> {
  const rows = await repo.listIdentities(deps.db, accountId);
  return Promise.all(rows.map(async (row) => toLinkedIdentity(await repo.openIdentity(deps.dataProtection, deps.db, row))));
}

/**
 * @throws {AppError} FEDERATION_IDENTITY_NOT_FOUND (not the caller's, or absent), FEDERATION_LAST_SIGN_IN_METHOD.
 */
export async function unlinkIdentity(deps: FederationDeps, caller: Caller, identityId: string, context: RequestContext): Promise<void> {
  const removed = await withTransaction(deps.db, async (tx) => {
    const identities = await repo.listIdentities(tx, caller.accountId);
    const target = identities.find((identity) => identity.id === identityId);
    if (!target) return { kind: 'refused', code: 'FEDERATION_IDENTITY_NOT_FOUND' } as const;
    if (identities.length === 1 && !(await hasAnotherWayIn(deps, tx, caller.accountId)))
      return { kind: 'refused', code: 'FEDERATION_LAST_SIGN_IN_METHOD' } as const;
    await repo.deleteIdentity(tx, caller.accountId, identityId);
    await context.audit('federation.identity_unlinked', { subject: caller.accountId, detail: target.provider }, tx);
    return { kind: 'removed', target } as const;
  });
  if (removed.kind === 'refused') throw appError(removed.code, { detail: 'unlink refused' });
  // After the commit: the link is gone whatever the provider answers; the outcome is audited.
  await revokeProviderToken(deps, removed.target, context);
}

/**
 * Whether the account can still sign in once its last external identity is gone: with a
 * password while passwords are enabled, or with a passkey that is not suspended while passkeys are enabled (a passkey signs
 * in on its own, at aal2_phr).
 */
async function hasAnotherWayIn(deps: FederationDeps, tx: Tx, accountId: string): Promise<boolean> {
  const state = await findAccountSignInState(tx, accountId);
  // A password kept from before passwords were switched off signs in nowhere.
  if (state?.hasPassword && deps.assurance.passwordSignIn) return true;
  return deps.assurance.passkeySignIn && (await factorInventory(tx, accountId)).passkey;
}

/** What forgetting an account's identities needs: no sessions, no assurance. */
export type ForgetDeps = Pick<FederationDeps, 'db' | 'providers' | 'vault'>;

/**
 * Removes every external identity of an account and revokes their provider tokens. For the
 * account-deletion flow (which must call it before deleting the account row, as Apple requires).
 * The events name the account as subject; the actor is whoever asked for the deletion (the
 * context's caller), which is the account itself when a person deletes their own.
 */
export async function forgetExternalIdentities(deps: ForgetDeps, accountId: string, context: RequestContext): Promise<number> {
  const identities = await repo.listIdentities(deps.db, accountId);
  for (const identity of identities) {
    await revokeProviderToken(deps, identity, context);
    await withTransaction(deps.db, async (tx) => {
      await repo.deleteIdentity(tx, accountId, identity.id);
      await context.audit('federation.identity_unlinked', { subject: accountId, detail: identity.provider }, tx);
    });
  }
  return identities.length;
}
