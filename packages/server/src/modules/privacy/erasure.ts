/**
 * @module modules/privacy/erasure
 *
 * Erasure by crypto-shredding (GDPR article 17; ASVS V14.2.7, V14.3.x). One transaction turns
 * the account row into a tombstone, deletes its sessions, second factors, passkeys, linked
 * identities, elevations, profile, patient file and every grant it gave or received, destroys
 * the person's data keys — so whatever sealed copy survives (a backup, a replica, a log of the
 * database) never opens again — records the receipt, and writes `account.erased` last. Provider
 * refresh tokens are revoked at the provider just before (a network call cannot sit inside the
 * transaction; Apple requires it before the account goes).
 *
 * A person erases their own account (step-up). An administrator holding `accounts:erase` asks
 * for someone's erasure with a reason (step-up); it runs only when a second, different
 * administrator approves it (step-up) — never the requester, never the account concerned — and
 * the approval is one conditional update, so two approvals at once erase once.
 *
 * The audit log holds identifiers and codes only (platform/audit), so it keeps verifying after
 * an erasure: the entries about the person still name the tombstone's id and nothing else.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Erasure, ErasureReceipt, ErasedCounts } from '@portcullis/protocol';
import type { Clock } from '../../platform/clock/clock.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import { withTransaction, type Tx } from '../../platform/db/index.ts';
import type { AccountErasuresTable, Database } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { isLiveAccount, tombstoneAccount } from '../accounts/index.ts';
import { forgetAccountIdentities, type ForgetDeps } from '../federation/index.ts';
import { forgetFactorsOf } from '../mfa/index.ts';
import { forgetPasskeysOf } from '../passkeys/index.ts';
import { forgetRecordsOf } from '../records/index.ts';
import { forgetSessionsOf, type SessionsRevokedHook } from '../sessions/index.ts';
import * as repo from './repository.ts';

export interface ErasureDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly dataProtection: DataProtection;
  /** Revokes provider tokens and removes linked identities (modules/federation). */
  readonly federation: ForgetDeps;
  /** The sessions' revocation hook (`SessionsDeps.onSessionsRevoked`), run for the sessions erasure deletes. */
  readonly onSessionsRevoked: SessionsRevokedHook | undefined;
}

class AlreadyErased extends Error {}

function toErasureDto(row: AccountErasuresTable): Erasure {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.erased_at === null ? 'pending' : 'erased',
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: new Date(row.requested_at).toISOString(),
    approvedBy: row.approved_by,
    erasedAt: row.erased_at === null ? null : new Date(row.erased_at).toISOString(),
  };
}

/** The audit reason naming a receipt: `receipt_` and the receipt id without dashes (a snake_case code). */
export function receiptReason(receiptId: string): string {
  return `receipt_${receiptId.replaceAll('-', '')}`;
}

/**
 * Everything of the erasure that happens in the caller's transaction; throws `AlreadyErased`
 * (rolling the transaction back) when the account is gone or was erased meanwhile. The tombstone
 * is written first: on PostgreSQL its row lock makes a concurrent erasure of the same person wait
 * and then find it erased.
 */
async function eraseInTransaction(
  deps: ErasureDeps,
  tx: Tx,
  erasure: { id: string; accountId: string; requestedBy: string; approvedBy: string; now: number },
  identitiesForgotten: number,
): Promise<ErasureReceipt> {
  const { accountId, now } = erasure;
  if ((await tombstoneAccount(tx, accountId, now)) !== 'tombstoned') throw new AlreadyErased();
  await repo.dropPendingRequests(tx, accountId, erasure.id);
  const sessions = await forgetSessionsOf(tx, accountId, deps.onSessionsRevoked);
  const factors = await forgetFactorsOf(tx, accountId);
  const passkeys = await forgetPasskeysOf(tx, accountId);
  const records = await forgetRecordsOf(tx, accountId);
  // Identities linked between the revocation and this transaction (their tokens were never seen).
  const lateIdentities = await repo.deleteExternalIdentities(tx, accountId);
  const elevations = await repo.deleteElevations(tx, accountId);
  const dataKeysDestroyed = await deps.dataProtection.erase(tx, accountId);
  const erased: ErasedCounts = {
    sessions: sessions.sessions,
    knownDevices: sessions.knownDevices,
    passkeys,
    totpFactors: factors.totpFactors,
    phoneFactors: factors.phoneFactors,
    recoveryCodes: factors.recoveryCodes,
    externalIdentities: identitiesForgotten + lateIdentities,
    profile: records.profile ? 1 : 0,
    recordEntries: records.entries,
    grants: records.grants,
    elevations,
    pendingChallenges: factors.pendingChallenges,
  };
  return {
    receiptId: erasure.id,
    accountId,
    erasedAt: new Date(now).toISOString(),
    requestedBy: erasure.requestedBy,
    approvedBy: erasure.approvedBy,
    erased,
    dataKeysDestroyed,
  };
}

/** A signed-in person erases their own account (the route demands a fresh step-up). */
export async function eraseOwnAccount(deps: ErasureDeps, principal: Principal, context: RequestContext): Promise<ErasureReceipt> {
  const accountId = principal.accountId;
  const identities = await forgetAccountIdentities(deps.federation, accountId, context);
  const id = randomUUID();
  try {
    return await withTransaction(deps.db, async (tx) => {
      const now = deps.clock.now();
      const receipt = await eraseInTransaction(deps, tx, { id, accountId, requestedBy: accountId, approvedBy: accountId, now }, identities);
      await repo.insertErasure(tx, {
        id,
        account_id: accountId,
        reason: null,
        requested_by: accountId,
        requested_at: now,
        approved_by: accountId,
        erased_at: now,
        receipt: JSON.stringify(receipt),
      });
      await context.audit('account.erased', { subject: accountId, detail: receiptReason(id) }, tx);
      return receipt;
    });
  } catch (error) {
    // Only a concurrent erasure of the same account gets here: its session was live a moment ago.
    if (error instanceof AlreadyErased) throw appError('ERASURE_NOT_PENDING', { detail: 'account erased concurrently' });
    throw error;
  }
}

/** An administrator asks for `accountId`'s erasure; it waits for a second administrator. */
export async function requestErasure(
  deps: ErasureDeps,
  principal: Principal,
  input: { accountId: string; reason: string },
  context: RequestContext,
): Promise<Erasure> {
  if (input.accountId === principal.accountId) {
    await context.audit('account.erasure_requested', { outcome: 'failure', subject: input.accountId, detail: 'self_action' });
    throw appError('ADMIN_SELF_ACTION_FORBIDDEN', { detail: 'erasure of own account through the admin API' });
  }
  if (!(await isLiveAccount(deps.db, input.accountId))) throw appError('ADMIN_ACCOUNT_NOT_FOUND', { detail: 'no live account' });
  const row: AccountErasuresTable = {
    id: randomUUID(),
    account_id: input.accountId,
    reason: input.reason,
    requested_by: principal.accountId,
    requested_at: deps.clock.now(),
    approved_by: null,
    erased_at: null,
    receipt: null,
  };
  await withTransaction(deps.db, async (tx) => {
    await repo.insertErasure(tx, row);
    await context.audit('account.erasure_requested', { subject: input.accountId }, tx);
  });
  return toErasureDto(row);
}

export async function listPendingErasures(deps: ErasureDeps): Promise<Erasure[]> {
  return (await repo.listPending(deps.db)).map(toErasureDto);
}

/**
 * A second administrator approves a pending erasure, which then runs in the same transaction.
 * Exactly one of several concurrent approvals wins (a conditional update of the pending row);
 * the others answer `409 ERASURE_NOT_PENDING`.
 */
export async function approveErasure(
  deps: ErasureDeps,
  principal: Principal,
  erasureId: string,
  context: RequestContext,
): Promise<ErasureReceipt> {
  const row = await repo.findErasure(deps.db, erasureId);
  if (!row) throw appError('ERASURE_NOT_FOUND', { detail: 'no such erasure' });
  // Separation of duties: the requester cannot approve their own request, nor the person concerned.
  if (principal.accountId === row.requested_by || principal.accountId === row.account_id) {
    await context.audit('account.erasure_approved', { outcome: 'failure', subject: row.account_id, detail: 'self_approval' });
    throw appError('ERASURE_APPROVER_INVALID', { detail: 'approver is the requester or the subject' });
  }
  if (row.erased_at !== null) throw appError('ERASURE_NOT_PENDING', { detail: 'already carried out' });
  const identities = await forgetAccountIdentities(deps.federation, row.account_id, context);
  try {
    return await withTransaction(deps.db, async (tx) => {
      const now = deps.clock.now();
      if (!(await repo.markApproved(tx, erasureId, { approvedBy: principal.accountId, now }))) throw new AlreadyErased();
      const receipt = await eraseInTransaction(
        deps,
        tx,
        { id: row.id, accountId: row.account_id, requestedBy: row.requested_by, approvedBy: principal.accountId, now },
        identities,
      );
      await repo.storeReceipt(tx, erasureId, JSON.stringify(receipt));
      await context.audit('account.erasure_approved', { subject: row.account_id }, tx);
      await context.audit('account.erased', { subject: row.account_id, detail: receiptReason(row.id) }, tx);
      return receipt;
    });
  } catch (error) {
    if (error instanceof AlreadyErased)
      throw appError('ERASURE_NOT_PENDING', { detail: 'approved concurrently or account already erased' });
    throw error;
  }
}
