/**
 * One-time codes sent by SMS or email as second factors. `mfa_phone_factors` holds phone numbers
 * only sealed with AES-256-GCM (`phone_ciphertext`, bound to the row's account and factor ids)
 * plus a keyed hash for look-ups (`phone_hash`, HMAC-SHA-256 under a key-ring key), never in
 * clear. `mfa_sent_codes` holds each code only as HMAC-SHA-256, bound to what it was sent for
 * (`binding_id`: a sign-in challenge or a pending phone factor) and its channel; it counts its
 * own wrong attempts. `mfa_send_limits` counts messages per key (a challenge, an account's
 * phone enrolment, a destination number) so that sending can be throttled atomically.
 * Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_phone_factors')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('phone_ciphertext', 'text', (c) => c.notNull())
    .addColumn('phone_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Null while pending; pending rows carry `expires_at` instead.
    .addColumn('confirmed_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_phone_factors_account').on('mfa_phone_factors').column('account_id').execute();
  await db.schema.createIndex('mfa_phone_factors_hash').on('mfa_phone_factors').column('phone_hash').execute();

  await db.schema
    .createTable('mfa_sent_codes')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('binding_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_sent_codes_binding').on('mfa_sent_codes').columns(['binding_id', 'channel']).execute();
  await db.schema.createIndex('mfa_sent_codes_account').on('mfa_sent_codes').column('account_id').execute();

  await db.schema
    .createTable('mfa_send_limits')
    .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
    .addColumn('window_ends_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mfa_send_limits_window').on('mfa_send_limits').column('window_ends_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['mfa_send_limits', 'mfa_sent_codes', 'mfa_phone_factors']) {
    await db.schema.dropTable(table).execute();
  }
}
