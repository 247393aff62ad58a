/**
 * Second factors: TOTP authenticator apps and recovery codes. A TOTP seed is stored only sealed
 * with AES-256-GCM (`secret_ciphertext`, bound to the row's account and factor ids); recovery
 * codes only as HMAC-SHA-256 under a key-ring key. `last_step` is the RFC 6238 time step of the
 * last accepted code: a code is accepted only for a strictly newer step, which makes every code
 * single-use. Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_totp_factors')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('label', 'varchar(64)', (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('last_step', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Null while pending; pending rows carry `expires_at` instead.
    .addColumn('confirmed_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_totp_factors_account').on('mfa_totp_factors').column('account_id').execute();
  await db.schema.createIndex('mfa_totp_factors_expires').on('mfa_totp_factors').column('expires_at').execute();

  // One row per account holding a set; regenerating upserts it, which serialises concurrent regenerations.
  await db.schema
    .createTable('mfa_recovery_code_sets')
    .addColumn('account_id', 'varchar(36)', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('code_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_recovery_codes_account').on('mfa_recovery_codes').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['mfa_recovery_codes', 'mfa_recovery_code_sets', 'mfa_totp_factors']) {
    await db.schema.dropTable(table).execute();
  }
}
