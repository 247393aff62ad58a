/**
 * Assurance levels at sign-in. `mfa_challenges` holds the state between the first factor and the
 * second (`MFA_REQUIRED`): only HMAC-SHA-256 of its secret is stored, it is bound to the DPoP key
 * of the request that earned it, and it counts its own wrong attempts. `second_factor_budgets`
 * counts wrong codes per account across challenges and records a lockout. A `restricted`
 * session may only enrol the factor its role requires. Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('jkt', 'varchar(128)', (c) => c.notNull())
    .addColumn('first_factor_amr', 'text', (c) => c.notNull())
    .addColumn('required_level', 'varchar(16)', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_challenges_account').on('mfa_challenges').column('account_id').execute();

  await db.schema
    .createTable('second_factor_budgets')
    .addColumn('account_id', 'varchar(36)', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('restricted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('restricted').execute();
  await db.schema.dropTable('second_factor_budgets').execute();
  await db.schema.dropTable('mfa_challenges').execute();
}
