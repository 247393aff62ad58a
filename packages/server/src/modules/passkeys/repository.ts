/**
 * @module modules/passkeys/repository
 *
 * SQL for passkey credentials and ceremony challenges. Every query on a person's passkeys is
 * scoped by `account_id` in the query itself. The two races that matter are settled by the
 * database, not by reading first: a challenge is claimed by one conditional UPDATE (one winner),
 * and a signature counter only moves forward through one conditional UPDATE.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PasskeyChallengesTable, PasskeyCredentialsTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AccountSummary {
  readonly id: string;
  /** The address, sealed for the account holder (platform/contact). */
  readonly email_sealed: string;
  readonly status: string;
  /** JSON array of role names. */
  readonly roles: string;
}

export interface CredentialWithAccount {
  readonly credential: PasskeyCredentialsTable;
  readonly account: Pick<AccountSummary, 'status' | 'roles'>;
}

// ── Challenges ──────────────────────────────────────────────────────────────────────────────

export async function insertChallenge(db: Db, challenge: PasskeyChallengesTable): Promise<void> {
  await db.insertInto('passkey_challenges').values(challenge).execute();
}

/** Expired challenges are worthless; each new one sweeps them so the table stays small. */
export async function deleteExpiredChallenges(db: Db, now: number): Promise<void> {
  await db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).execute();
}

/**
 * Marks the challenge used if, and only if, it is unused, unexpired, for this ceremony and owned
 * by this account and session (both null for sign-in). Exactly one concurrent caller wins.
 */
export async function claimChallenge(
  db: Db,
  claim: {
    challengeHash: string;
    purpose: PasskeyChallengesTable['purpose'];
    accountId: string | null;
    sessionId: string | null;
    now: number;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('passkey_challenges')
    .set({ used_at: claim.now })
    .where('challenge_hash', '=', claim.challengeHash)
    .where('purpose', '=', claim.purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', claim.now)
    .where('account_id', claim.accountId === null ? 'is' : '=', claim.accountId)
    .where('session_id', claim.sessionId === null ? 'is' : '=', claim.sessionId)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findChallenge(db: Db, challengeHash: string): Promise<PasskeyChallengesTable | undefined> {
  return db.selectFrom('passkey_challenges').selectAll().where('challenge_hash', '=', challengeHash).executeTakeFirst();
}

// ── Accounts (read-only view the ceremonies need) ───────────────────────────────────────────

export async function findAccount(db: Db, accountId: string): Promise<AccountSummary | undefined> {
  return db.selectFrom('accounts').select(['id', 'email_sealed', 'status', 'roles']).where('id', '=', accountId).executeTakeFirst();
}

/**
 * Takes the account's row lock for the rest of the transaction (a no-op write): on PostgreSQL a
 * second transaction for the same account waits here, on SQLite writers are serialised anyway.
 * Returns false when the account does not exist.
 */
export async function lockAccount(tx: Transaction<Database>, accountId: string): Promise<boolean> {
  const result = await tx
    .updateTable('accounts')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', accountId)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

// ── Credentials ─────────────────────────────────────────────────────────────────────────────

/** Inserts the credential unless its credential id is registered already; returns whether it was inserted. */
export async function insertCredential(db: Db, credential: PasskeyCredentialsTable): Promise<boolean> {
  const result = await db
    .insertInto('passkey_credentials')
    .values(credential)
    .onConflict((oc) => oc.column('credential_id').doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function listCredentials(db: Db, accountId: string): Promise<PasskeyCredentialsTable[]> {
  return db.selectFrom('passkey_credentials').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'asc').execute();
}

export async function findOwnCredential(db: Db, accountId: string, id: string): Promise<PasskeyCredentialsTable | undefined> {
  return db.selectFrom('passkey_credentials').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** The credential a sign-in names, with the status and roles of the account that owns it. */
export async function findCredentialForSignIn(db: Db, credentialId: string): Promise<CredentialWithAccount | undefined> {
  const row = await db
    .selectFrom('passkey_credentials as p')
    .innerJoin('accounts as a', 'a.id', 'p.account_id')
    .selectAll('p')
    .select(['a.status as account_status', 'a.roles as account_roles'])
    .where('p.credential_id', '=', credentialId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { account_status, account_roles, ...credential } = row;
  return { credential, account: { status: account_status, roles: account_roles } };
}

/**
 * Records a verified use. The counter must move forward (or stay 0 on authenticators without
 * one, WebAuthn L3 §6.1.1); the condition is in the UPDATE so two concurrent sign-ins with the
 * same counter value — an original and its clone — cannot both pass. Returns false when it did
 * not move forward.
 */
export async function recordUse(db: Db, use: { id: string; signCount: number; backedUp: boolean; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('passkey_credentials')
    .set({ sign_count: use.signCount, backed_up: use.backedUp ? 1 : 0, last_used_at: use.now })
    .where('id', '=', use.id)
    .where('sign_count', use.signCount === 0 ? '=' : '<', use.signCount)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function suspendCredential(db: Db, suspension: { id: string; now: number; reason: string }): Promise<void> {
  await db
    .updateTable('passkey_credentials')
    .set({ suspended_at: suspension.now, suspended_reason: suspension.reason })
    .where('id', '=', suspension.id)
    .where('suspended_at', 'is', null)
    .execute();
}

export async function renameCredential(db: Db, rename: { accountId: string; id: string; name: string }): Promise<boolean> {
  const result = await db
    .updateTable('passkey_credentials')
    .set({ name: rename.name })
    .where('account_id', '=', rename.accountId)
    .where('id', '=', rename.id)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Passkeys of the account other than `exceptId` that can still be used to sign in. */
export async function countUsableCredentialsExcept(db: Db, accountId: string, exceptId: string): Promise<number> {
  const row = await db
    .selectFrom('passkey_credentials')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('account_id', '=', accountId)
    .where('id', '!=', exceptId)
    .where('suspended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteCredential(db: Db, accountId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('passkey_credentials').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows === 1n;
}
