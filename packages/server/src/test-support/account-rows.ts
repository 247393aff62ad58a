/**
 * Test access to account rows, which hold the address only sealed and blind-indexed
 * (platform/contact): find a row by address, and insert one directly.
 */
import { normalizeEmail, sealAccountEmail } from '../platform/contact/index.ts';
import type { DataDb, DataProtection } from '../platform/data-protection/index.ts';
import type { AccountsTable } from '../platform/db/index.ts';
import type { Config } from '../config/schema.ts';
import { createPasswordHasher } from '../modules/accounts/index.ts';

interface Services {
  readonly portcullis: { readonly dataProtection: DataProtection; readonly database: { readonly db: DataDb } };
}

/** The `accounts.email_index` of an address, for `.where('email_index', '=', …)`. */
export function emailIndexOf(app: Services, email: string): Promise<string> {
  return app.portcullis.dataProtection.blindIndex(app.portcullis.database.db, 'email', normalizeEmail(email));
}

/** Inserts an account row with `email` sealed and indexed as the application stores it. */
export async function insertAccountRow(
  app: Services,
  row: Omit<AccountsTable, 'email_sealed' | 'email_index'> & { readonly email: string },
  db: DataDb = app.portcullis.database.db,
): Promise<void> {
  const { email, ...rest } = row;
  await db
    .insertInto('accounts')
    .values({ ...rest, ...(await sealAccountEmail(app.portcullis.dataProtection, db, row.id, normalizeEmail(email))) })
    .execute();
}

/** An Argon2id hash of `password` as the deployment configured by `config` stores it. */
export async function passwordHashFor(config: Pick<Config, 'passwords'>, password: string): Promise<string> {
  return (await createPasswordHasher({ config: config.passwords })).hashPassword(password);
}
