/**
 * New-device emails (docs/security/defense.md). `device_notices` holds, per email sent, the
 * single-use "this was not me" link that ends the session the email reports: only the
 * HMAC-SHA-256 of its secret is stored (under the key ring's `token-hmac` key), so a copy of the
 * table cannot end anyone's session. `used_at` makes the link work once. Timestamps are epoch
 * milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_notices')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('session_id', 'varchar(64)', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('device_notices_session').on('device_notices').column('session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_notices').execute();
}
