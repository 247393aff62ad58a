/**
 * Attachments of end-to-end encrypted conversations (modules/messaging/attachments.ts): opaque
 * blobs the client encrypted before uploading (AES-256-GCM under a key that travels only inside
 * an MLS message), stored in the database so every instance serves them. Each belongs to one
 * group; only its member devices may upload or download. `content` is the ciphertext as bytes
 * (`blob` on SQLite, `bytea` on PostgreSQL). Timestamps are epoch milliseconds.
 */
import { SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('messaging_attachments')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('group_id', 'varchar(88)', (c) => c.notNull().references('messaging_groups.id').onDelete('cascade'))
    .addColumn('uploader_device_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', sqlite ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messaging_attachments_created').on('messaging_attachments').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('messaging_attachments').execute();
}
