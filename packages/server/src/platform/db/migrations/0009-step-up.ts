/**
 * Step-up challenges (`STEP_UP_REQUIRED`): the state between a request that needs a fresh
 * authentication and the same request repeated with the answered challenge. Only HMAC-SHA-256 of
 * the secret is stored; a challenge belongs to one session and commits to one action (the
 * SHA-256 digest of method, path, query and body); it counts its wrong answers, and is spent by
 * the one request that uses it. Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('step_up_challenges')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('session_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('action_digest', 'varchar(64)', (c) => c.notNull())
    .addColumn('level', 'varchar(16)', (c) => c.notNull())
    .addColumn('methods', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('passkey_nonce', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('verified_level', 'varchar(16)')
    .addColumn('verified_amr', 'text')
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('step_up_challenges_session').on('step_up_challenges').column('session_id').execute();
  await db.schema.createIndex('step_up_challenges_account').on('step_up_challenges').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('step_up_challenges').execute();
}
