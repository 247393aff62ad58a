/**
 * @module modules/accounts/external-account
 *
 * Accounts for people who arrive through an external identity provider (federation). The
 * federation module decides *whether* an account may be created (a provider-verified address,
 * no existing account with it); this file owns *how* an account row is written, so the accounts
 * table has one writer. It never links to or reveals an existing account: a taken address is
 * reported to the caller as `undefined`, inside the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { AccountsTable, Database } from '../../platform/db/index.ts';
import { DEFAULT_ROLES } from './service.ts';
import * as repo from './repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Creates an account without a password, with the default roles. `emailVerified` must come
 * from the provider's own statement about the address.
 *
 * @returns The new account id, or `undefined` when the address already has an account.
 */
export async function createExternalAccount(
  dataProtection: DataProtection,
  db: Db,
  input: { email: string; emailVerified: boolean; now: number },
): Promise<string | undefined> {
  const account: repo.AccountRecord = {
    id: randomUUID(),
    email: repo.normalizeEmail(input.email),
    email_verified_at: input.emailVerified ? input.now : null,
    password_hash: null,
    password_changed_at: null,
    roles: JSON.stringify(DEFAULT_ROLES),
    status: 'active',
    created_at: input.now,
    updated_at: input.now,
  };
  return (await repo.insertAccount(dataProtection, db, account)) ? account.id : undefined;
}

/** What another module may know about an account before letting someone into it. */
export interface AccountSignInState {
  readonly status: AccountsTable['status'];
  readonly hasPassword: boolean;
  /** Role names: the assurance policy decides from them what a first factor leads to. */
  readonly roles: readonly string[];
}

export async function findAccountSignInState(db: Db, accountId: string): Promise<AccountSignInState | undefined> {
  // Read-only facts, never the address: no data key is needed.
  const account = await db
    .selectFrom('accounts')
    .select(['status', 'password_hash', 'roles'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  return account
    ? { status: account.status, hasPassword: account.password_hash !== null, roles: JSON.parse(account.roles) as string[] }
    : undefined;
}

/** The address rules accounts use (NFKC, trimmed, lower case), for comparing and storing addresses elsewhere. */
export { normalizeEmail } from './repository.ts';
