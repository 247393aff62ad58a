/**
 * End-to-end encrypted messaging (modules/messaging): the delivery service's tables. The server
 * stores MLS objects it cannot read; every such payload (`key_package`, `payload`) is the
 * object's bytes as base64url text on both databases.
 *
 * - `messaging_devices`: one MLS credential per signed-in session (`session_id`, at most one
 *   not removed per session), its Ed25519 signature key and the index of its `add` entry in the
 *   key transparency log. Removing a device (sign-out, session revocation, erasure) sets
 *   `removed_at`; the row stays so its id is never reused.
 * - `messaging_key_packages`: KeyPackages a device uploaded, `one_time` (handed out once:
 *   `claimed_at`) or its single `last_resort` (handed out when no one-time one is left).
 * - `messaging_groups`: one row per conversation (an MLS group, id chosen by its creator) with
 *   its current epoch; the row is the lock that orders the group's commits.
 * - `messaging_group_members`: which devices (and whose) are in a group; `removed_at` once a
 *   commit removed them or their credential was removed.
 * - `messaging_messages`: every handshake or application message and Welcome, stored once, in
 *   delivery order (`seq`, an identity column); `messaging_mailbox`: which device still has to
 *   receive which message. Writers lock the recipients' device rows before taking a `seq`, so each
 *   device sees its entries commit in `seq` order (a reader resuming after a `seq` misses none).
 *
 * Timestamps are epoch milliseconds.
 */
import { SqliteAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('messaging_devices')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('session_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('signature_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('key_log_index', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_at', 'bigint')
    .addColumn('removed_reason', 'varchar(32)')
    .execute();
  await db.schema
    .createIndex('messaging_devices_one_per_session')
    .on('messaging_devices')
    .column('session_id')
    .unique()
    .where(sql.ref('removed_at'), 'is', null)
    .execute();
  await db.schema.createIndex('messaging_devices_account').on('messaging_devices').columns(['account_id', 'removed_at']).execute();

  await db.schema
    .createTable('messaging_key_packages')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('device_id', 'varchar(40)', (c) => c.notNull().references('messaging_devices.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('key_package', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('messaging_key_packages_unclaimed')
    .on('messaging_key_packages')
    .columns(['device_id', 'kind', 'claimed_at', 'created_at'])
    .execute();

  await db.schema
    .createTable('messaging_groups')
    .addColumn('id', 'varchar(88)', (c) => c.primaryKey())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(40)', (c) => c.notNull().references('messaging_devices.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('messaging_group_members')
    .addColumn('group_id', 'varchar(88)', (c) => c.notNull().references('messaging_groups.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(40)', (c) => c.notNull().references('messaging_devices.id'))
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('joined_epoch', 'bigint', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_at', 'bigint')
    .addPrimaryKeyConstraint('messaging_group_members_pk', ['group_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('messaging_group_members_device')
    .on('messaging_group_members')
    .columns(['device_id', 'removed_at'])
    .execute();

  await db.schema
    .createTable('messaging_messages')
    .addColumn('seq', sqlite ? 'integer' : 'bigint', (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
    )
    .addColumn('group_id', 'varchar(88)', (c) => c.notNull())
    .addColumn('sender_device_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messaging_messages_created').on('messaging_messages').columns(['created_at', 'seq']).execute();

  await db.schema
    .createTable('messaging_mailbox')
    .addColumn('device_id', 'varchar(40)', (c) => c.notNull().references('messaging_devices.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull().references('messaging_messages.seq').onDelete('cascade'))
    .addPrimaryKeyConstraint('messaging_mailbox_pk', ['device_id', 'seq'])
    .execute();
  await db.schema.createIndex('messaging_mailbox_seq').on('messaging_mailbox').column('seq').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'messaging_mailbox',
    'messaging_messages',
    'messaging_group_members',
    'messaging_groups',
    'messaging_key_packages',
    'messaging_devices',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
