/**
 * @module modules/accounts/repository
 *
 * SQL for accounts. Email addresses are stored normalised (see `normalizeEmail`) so the unique
 * index makes one account per address regardless of case or Unicode form.
 */
import type { Kysely, Transaction } from 'kysely';
import { preparedQuery, type AccountsTable, type Database } from '../../platform/db/index.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

// Every password sign-in starts here: compiled once.
const accountByEmail = preparedQuery((db, p: { email: string }) => db.selectFrom('accounts').selectAll().where('email', '=', p.email));

export async function findAccountByEmail(db: Db, email: string): Promise<AccountsTable | undefined> {
  return (await accountByEmail.rows(db, { email }))[0];
}

export async function findAccountById(db: Db, id: string): Promise<AccountsTable | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts an account; false when the address is taken (unique index), including by a concurrent sign-up. */
export async function insertAccount(db: Db, account: AccountsTable): Promise<boolean> {
  const result = await db
    .insertInto('accounts')
    .values(account)
    .onConflict((oc) => oc.column('email').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) === 1n;
}

export async function markEmailVerified(db: Db, id: string, now: number): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ email_verified_at: now, updated_at: now })
    .where('id', '=', id)
    .where('email_verified_at', 'is', null)
    .execute();
}

export async function setPasswordHash(db: Db, id: string, hash: string, now: number, options: { changed: boolean }): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: hash, updated_at: now, ...(options.changed ? { password_changed_at: now } : {}) })
    .where('id', '=', id)
    .execute();
}

// Any credential at all, usable or not: a suspended passkey or an unconfirmed provider address
// still means the account belongs to someone who can get in (or get help) another way.
const credentialQuery = preparedQuery((db, p: { accountId: string }) =>
  db.selectNoFrom((eb) => [
    eb.exists(eb.selectFrom('accounts').select('id').where('id', '=', p.accountId).where('password_hash', 'is not', null)).as('password'),
    eb.exists(eb.selectFrom('passkey_credentials').select('id').where('account_id', '=', p.accountId)).as('passkey'),
    eb.exists(eb.selectFrom('external_identities').select('id').where('account_id', '=', p.accountId)).as('identity'),
    eb
      .exists(eb.selectFrom('mfa_totp_factors').select('id').where('account_id', '=', p.accountId).where('confirmed_at', 'is not', null))
      .as('totp'),
    eb
      .exists(eb.selectFrom('mfa_phone_factors').select('id').where('account_id', '=', p.accountId).where('confirmed_at', 'is not', null))
      .as('phone'),
    eb.exists(eb.selectFrom('mfa_recovery_codes').select('account_id').where('account_id', '=', p.accountId)).as('recoveryCodes'),
  ]),
);

/**
 * Whether the account holds any credential: a password, a passkey (even suspended), a provider
 * identity or a confirmed second factor. An account without one belongs to whoever controls
 * its mailbox, and only such an account may be entered with an emailed code.
 */
export async function hasAnyCredential(db: Db, accountId: string): Promise<boolean> {
  const [row] = await credentialQuery.rows(db, { accountId });
  if (!row) throw new Error('a select without FROM returned no row');
  return Object.values(row).some(Boolean);
}

/** What `tombstoneAccount` found: the account was there and not yet erased. */
export type TombstoneOutcome = 'tombstoned' | 'missing' | 'already_erased';

/**
 * Turns the account row into a tombstone (erasure): only the id and `erased_at` keep meaning.
 * The address is replaced by a value no sign-up can produce (it has no `@`), so the address is
 * free to register again and no look-up finds the row; the password hash, roles and
 * verification go, and the account is locked. Its pending email codes are deleted.
 */
export async function tombstoneAccount(db: Db, id: string, now: number): Promise<TombstoneOutcome> {
  const result = await db
    .updateTable('accounts')
    .set({
      email: `erased:${id}`,
      email_verified_at: null,
      password_hash: null,
      password_changed_at: null,
      roles: '[]',
      status: 'locked',
      updated_at: now,
      erased_at: now,
    })
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 1n) {
    await db.deleteFrom('one_time_codes').where('account_id', '=', id).execute();
    return 'tombstoned';
  }
  const row = await db.selectFrom('accounts').select('erased_at').where('id', '=', id).executeTakeFirst();
  return row ? 'already_erased' : 'missing';
}

/** Whether the account exists and was not erased. */
export async function isLiveAccount(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('id').where('id', '=', id).where('erased_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}
