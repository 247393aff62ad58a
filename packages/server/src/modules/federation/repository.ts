/**
 * @module modules/federation/repository
 *
 * SQL for external identities, web flows in progress, exchange codes and the replay guard.
 * Single use is atomic: a flow or an exchange code is consumed by deleting its row and reading
 * what was deleted (`DELETE … RETURNING`), so two concurrent callbacks or redemptions cannot
 * both succeed. Expired rows are purged opportunistically whenever new ones are written.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, ExternalIdentitiesTable, FederationExchangeCodesTable, FederationFlowsTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

// ── Flows ─────────────────────────────────────────────────────────────────────────────────────

export async function insertFlow(db: Db, flow: FederationFlowsTable): Promise<void> {
  await db.deleteFrom('federation_flows').where('expires_at', '<=', flow.created_at).execute();
  await db.insertInto('federation_flows').values(flow).execute();
}

/** Deletes and returns the flow whatever its expiry; the caller checks `expires_at`. */
export async function consumeFlow(db: Db, id: string): Promise<FederationFlowsTable | undefined> {
  return db.deleteFrom('federation_flows').where('id', '=', id).returningAll().executeTakeFirst();
}

// ── Exchange codes ────────────────────────────────────────────────────────────────────────────

export async function insertExchangeCode(db: Db, row: FederationExchangeCodesTable): Promise<void> {
  await db.deleteFrom('federation_exchange_codes').where('expires_at', '<=', row.created_at).execute();
  await db.insertInto('federation_exchange_codes').values(row).execute();
}

export async function consumeExchangeCode(db: Db, id: string): Promise<FederationExchangeCodesTable | undefined> {
  return db.deleteFrom('federation_exchange_codes').where('id', '=', id).returningAll().executeTakeFirst();
}

// ── Replay guard ──────────────────────────────────────────────────────────────────────────────

/** Records `id` until `expiresAt`; false when it was already recorded (a replay). */
export async function claimOnce(db: Db, id: string, expiresAt: number, now: number): Promise<boolean> {
  await db.deleteFrom('federation_replay_guard').where('expires_at', '<=', now).execute();
  const result = await db
    .insertInto('federation_replay_guard')
    .values({ id, expires_at: expiresAt })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) === 1n;
}

// ── External identities ───────────────────────────────────────────────────────────────────────

export async function findIdentity(db: Db, provider: string, subject: string): Promise<ExternalIdentitiesTable | undefined> {
  return db
    .selectFrom('external_identities')
    .selectAll()
    .where('provider', '=', provider)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

export async function listIdentities(db: Db, accountId: string): Promise<ExternalIdentitiesTable[]> {
  return db.selectFrom('external_identities').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
}

export async function countIdentities(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('external_identities')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Inserts a link; false when the identity is already linked (to anyone), including concurrently. */
export async function insertIdentity(db: Db, identity: ExternalIdentitiesTable): Promise<boolean> {
  const result = await db
    .insertInto('external_identities')
    .values(identity)
    .onConflict((oc) => oc.columns(['provider', 'subject']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) === 1n;
}

export async function recordIdentityUse(
  db: Db,
  id: string,
  update: Pick<ExternalIdentitiesTable, 'email' | 'email_verified' | 'is_private_email' | 'last_used_at'> &
    Partial<Pick<ExternalIdentitiesTable, 'provider_client_id' | 'provider_token'>>,
): Promise<void> {
  await db.updateTable('external_identities').set(update).where('id', '=', id).execute();
}

/** Deletes one of `accountId`'s identities (scoped in the query) and returns it. */
export async function deleteIdentity(db: Db, accountId: string, id: string): Promise<ExternalIdentitiesTable | undefined> {
  return db.deleteFrom('external_identities').where('account_id', '=', accountId).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function setIdentityEvent(
  db: Db,
  id: string,
  update: Pick<ExternalIdentitiesTable, 'last_event_at'> & Partial<Pick<ExternalIdentitiesTable, 'email_forwarding_disabled_at'>>,
): Promise<void> {
  await db.updateTable('external_identities').set(update).where('id', '=', id).execute();
}
