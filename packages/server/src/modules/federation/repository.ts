/**
 * @module modules/federation/repository
 *
 * SQL for external identities, web flows in progress, exchange codes and the replay guard.
 * Single use is atomic: a flow or an exchange code is consumed by deleting its row and reading
 * what was deleted (`DELETE … RETURNING`), so two concurrent callbacks or redemptions cannot
 * both succeed. Expired rows are purged opportunistically whenever new ones are written.
 */
import type { Kysely, Transaction } from 'kysely';
import { SERVICE_SUBJECT, type DataProtection, type FieldLocation } from '../../platform/data-protection/index.ts';
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

/**
 * An exchange code as the flow sees it. The provider's address and the name it sent are sealed
 * under the service subject (no account exists yet), bound to the code's row.
 */
export type ExchangeCodeRecord = Omit<FederationExchangeCodesTable, 'email_sealed'> & { readonly email: string | null };

const exchangeCodeAt = (id: string, column: string): FieldLocation => ({ table: 'federation_exchange_codes', column, rowId: id });

export async function insertExchangeCode(dataProtection: DataProtection, db: Db, row: ExchangeCodeRecord): Promise<void> {
  const seal = (column: string, value: string | null) =>
    value === null ? null : dataProtection.seal(db, SERVICE_SUBJECT, value, exchangeCodeAt(row.id, column));
  const { email, ...rest } = row;
  await db.deleteFrom('federation_exchange_codes').where('expires_at', '<=', row.created_at).execute();
  await db
    .insertInto('federation_exchange_codes')
    .values({ ...rest, email_sealed: await seal('email_sealed', email), profile: await seal('profile', row.profile) })
    .execute();
}

export async function consumeExchangeCode(dataProtection: DataProtection, db: Db, id: string): Promise<ExchangeCodeRecord | undefined> {
  const row = await db.deleteFrom('federation_exchange_codes').where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) return undefined;
  const open = (column: string, value: string | null) =>
    value === null ? null : dataProtection.open(db, SERVICE_SUBJECT, value, exchangeCodeAt(row.id, column));
  const { email_sealed: emailSealed, ...rest } = row;
  return { ...rest, email: await open('email_sealed', emailSealed), profile: await open('profile', row.profile) };
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

/** An external identity with the address the provider reported opened (sealed for the account holder). */
export type IdentityRecord = Omit<ExternalIdentitiesTable, 'email_sealed'> & { readonly email: string | null };

function identityEmailAt(id: string): FieldLocation {
  return { table: 'external_identities', column: 'email_sealed', rowId: id };
}

function sealIdentityEmail(
  dataProtection: DataProtection,
  db: Db,
  identity: { readonly id: string; readonly account_id: string },
  email: string | null,
): Promise<string | null> {
  return email === null ? Promise.resolve(null) : dataProtection.seal(db, identity.account_id, email, identityEmailAt(identity.id));
}

/** Opens the address of an identity row. */
export async function openIdentity(dataProtection: DataProtection, db: Db, row: ExternalIdentitiesTable): Promise<IdentityRecord> {
  const { email_sealed: sealed, ...rest } = row;
  return { ...rest, email: sealed === null ? null : await dataProtection.open(db, row.account_id, sealed, identityEmailAt(row.id)) };
}

/** Inserts a link; false when the identity is already linked (to anyone), including concurrently. */
export async function insertIdentity(dataProtection: DataProtection, db: Db, identity: IdentityRecord): Promise<boolean> {
  const { email, ...rest } = identity;
  const result = await db
    .insertInto('external_identities')
    .values({ ...rest, email_sealed: await sealIdentityEmail(dataProtection, db, identity, email) })
    .onConflict((oc) => oc.columns(['provider', 'subject']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) === 1n;
}

export async function recordIdentityUse(
  dataProtection: DataProtection,
  db: Db,
  identity: { readonly id: string; readonly account_id: string },
  update: Pick<IdentityRecord, 'email' | 'email_verified' | 'is_private_email' | 'last_used_at'> &
    Partial<Pick<ExternalIdentitiesTable, 'provider_client_id' | 'provider_token'>>,
): Promise<void> {
  const { email, ...rest } = update;
  await db
    .updateTable('external_identities')
    .set({ ...rest, email_sealed: await sealIdentityEmail(dataProtection, db, identity, email) })
    .where('id', '=', identity.id)
    .execute();
}

/** Forgets the provider token of an identity (Apple `consent-revoked`). */
export async function clearProviderToken(db: Db, id: string): Promise<void> {
  await db.updateTable('external_identities').set({ provider_client_id: null, provider_token: null }).where('id', '=', id).execute();
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
