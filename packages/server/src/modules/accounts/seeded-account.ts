/**
 * @module modules/accounts/seeded-account
 *
 * An account made by the server's operator rather than by sign-up, for the demo clinic
 * (modules/demo): the address counts as confirmed (it is an obviously fake one the operator
 * chose), the password is hashed by the deployment's own hasher, and the roles are given. The
 * row is written like every other (address sealed and blind-indexed) and the creation is audited
 * (`account.seeded`). No second factor is set: an account whose roles need one gets, at its
 * first sign-in, a session that can only enrol it, as for any other account.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import { withTransaction, type Database } from '../../platform/db/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { PasswordHasher } from './password/index.ts';
import * as repo from './repository.ts';

export interface SeededAccountDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly dataProtection: DataProtection;
  readonly hasher: PasswordHasher;
}

export interface SeededAccountInput {
  readonly email: string;
  readonly password: string;
  readonly roles: readonly string[];
}

/** Creates the account and returns its id; `undefined` when the address is already taken (nothing changed). */
export async function createSeededAccount(
  deps: SeededAccountDeps,
  input: SeededAccountInput,
  context: RequestContext,
): Promise<string | undefined> {
  const passwordHash = await deps.hasher.hashPassword(input.password);
  const now = deps.clock.now();
  const account: repo.AccountRecord = {
    id: randomUUID(),
    email: repo.normalizeEmail(input.email),
    email_verified_at: now,
    password_hash: passwordHash,
    password_changed_at: now,
    roles: JSON.stringify(input.roles),
    status: 'active',
    created_at: now,
    updated_at: now,
  };
  return withTransaction(deps.db, async (tx) => {
    if (!(await repo.insertAccount(deps.dataProtection, tx, account))) return undefined;
    await context.audit('account.seeded', { actor: null, subject: account.id, detail: input.roles.join(',') }, tx);
    return account.id;
  });
}

/** The id of the account holding `email`, if any. */
export async function findAccountIdByEmail(
  deps: Pick<SeededAccountDeps, 'db' | 'dataProtection'>,
  email: string,
): Promise<string | undefined> {
  return (await repo.findAccountByEmail(deps.dataProtection, deps.db, repo.normalizeEmail(email)))?.id;
}

/** Whether the database holds any account at all (a first start). */
export async function hasAnyAccount(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('accounts').select('id').limit(1).executeTakeFirst()) !== undefined;
}
