/**
 * Role elevations and role grants awaiting approval (modules/elevation). A row with kind
 * `elevation` adds `role` to the account for at most an hour once approved (or at once when no
 * approval is configured): it is in force while `approved_at` is set, `revoked_at` is null and
 * `expires_at` is in the future — expiry needs no job, the session lookup simply stops joining
 * the row. A row with kind `grant` is a permanent role change (by default, the admin role) that
 * waits for a second admin; approving it writes the role into `accounts.roles`. `reason` is the
 * requester's free text (never copied to the audit log). Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('role_elevations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role', 'varchar(32)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    .addColumn('requested_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer')
    .addColumn('approved_by', 'varchar(36)')
    .addColumn('approved_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'varchar(36)')
    .execute();
  // The session lookup joins live elevations of one account on every authenticated request.
  await db.schema.createIndex('role_elevations_account').on('role_elevations').columns(['account_id', 'expires_at']).execute();
  await db.schema.createIndex('role_elevations_pending').on('role_elevations').columns(['approved_at', 'revoked_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('role_elevations').execute();
}
