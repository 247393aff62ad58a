/**
 * Federated sign-in: external identities linked to accounts, browser flows in progress, one-time
 * exchange codes, and a replay guard for ID-token nonces and notification ids.
 *
 * Secrets are not stored in recoverable form: a flow is keyed by SHA-256 of its `state` (its
 * PKCE verifier and nonce are derived from the state under a key-ring key, never stored), an
 * exchange code by SHA-256 of the code, and a provider refresh token (kept only to revoke it,
 * as Apple requires) is sealed with AES-256-GCM under a key-ring key. Timestamps are epoch ms.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('external_identities')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(254)')
    .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_private_email', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('email_forwarding_disabled_at', 'bigint')
    .addColumn('provider_client_id', 'varchar(255)')
    .addColumn('provider_token', 'text')
    .addColumn('last_event_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('external_identities_provider_subject', ['provider', 'subject'])
    .execute();
  await db.schema.createIndex('external_identities_account').on('external_identities').column('account_id').execute();

  await db.schema
    .createTable('federation_flows')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('binding_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'varchar(64)', (c) => c.notNull())
    .addColumn('dpop_jkt', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_flows_expires').on('federation_flows').column('expires_at').execute();

  await db.schema
    .createTable('federation_exchange_codes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(254)')
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('is_private_email', 'integer', (c) => c.notNull())
    .addColumn('profile', 'text')
    .addColumn('provider_client_id', 'varchar(255)')
    .addColumn('provider_token', 'text')
    .addColumn('code_challenge', 'varchar(64)', (c) => c.notNull())
    .addColumn('dpop_jkt', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_exchange_codes_expires').on('federation_exchange_codes').column('expires_at').execute();

  await db.schema
    .createTable('federation_replay_guard')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_replay_guard_expires').on('federation_replay_guard').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['federation_replay_guard', 'federation_exchange_codes', 'federation_flows', 'external_identities']) {
    await db.schema.dropTable(table).execute();
  }
}
