/**
 * @module modules/accounts/repository
 *
 * SQL for accounts. The address is kept only sealed for the account holder and as a blind index
 * of its normalised form (platform/contact): the unique index on `email_index` makes one
 * account per address regardless of case or Unicode form, and sign-in finds the account by it.
 * Callers see an `Account` with the address in clear, never the stored columns.
 */
import type { Kysely, Transaction } from 'kysely';
import { emailIndex, normalizeEmail, openAccountEmail, sealAccountEmail } from '../../platform/contact/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import { preparedQuery, type AccountsTable, type Database } from '../../platform/db/index.ts';

type Db = Kysely<Database> | Transaction<Database>;

export { normalizeEmail };

/** An account with its (normalised) address opened. */
export type AccountRecord = Omit<AccountsTable, 'email_sealed' | 'email_index'> & { readonly email: string };

function withoutContactColumns(row: AccountsTable): Omit<AccountsTable, 'email_sealed' | 'email_index'> {
  const { email_sealed: _sealed, email_index: _index, ...rest } = row;
  return rest;
}

// Every password sign-in starts here: compiled once.
const accountByEmailIndex = preparedQuery((db, p: { index: string }) =>
  db.selectFrom('accounts').selectAll().where('email_index', '=', p.index),
);

/**
 * The account of a normalised address, found by its blind index. The address is not opened:
 * the index matched, so it is the one asked for.
 */
export async function findAccountByEmail(dataProtection: DataProtection, db: Db, email: string): Promise<AccountRecord | undefined> {
  const [row] = await accountByEmailIndex.rows(db, { index: await emailIndex(dataProtection, db, email) });
  return row ? { ...withoutContactColumns(row), email } : undefined;
}

export async function findAccountById(dataProtection: DataProtection, db: Db, id: string): Promise<AccountRecord | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...withoutContactColumns(row), email: await openAccountEmail(dataProtection, db, row) } : undefined;
}

/**
 * Inserts an account with its normalised address sealed and indexed; false when the address is
 * taken (unique blind index), including by a concurrent sign-up.
 */
export async function insertAccount(dataProtection: DataProtection, db: Db, account: AccountRecord): Promise<boolean> {
  const { email, ...rest } = account;
  const result = await db
    .insertInto('accounts')
    .values({ ...rest, ...(await sealAccountEmail(dataProtection, db, account.id, email)) })
    .onConflict((oc) => oc.column('email_index').doNothing())
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
 * The blind index is cleared, so the address is free to register again and no look-up finds the
 * row; the sealed address stays, unreadable once the person's data key is destroyed (on SQLite
 * the column keeps a UNIQUE constraint, so it is never blanked); the password hash, roles and
 * verification go, and the account is locked. Its pending email codes are deleted.
 */
export async function tombstoneAccount(db: Db, id: string, now: number): Promise<TombstoneOutcome> {
  const result = await db
    .updateTable('accounts')
    .set({
      email_index: null,
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
