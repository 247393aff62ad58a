/**
 * Installation metadata: a per-deployment identifier and the time the schema was created.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('instance_meta')
    .addColumn('key', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();
  await db
    .insertInto('instance_meta' as never)
    .values([
      { key: 'installation_id', value: crypto.randomUUID() },
      { key: 'schema_created_at', value: new Date().toISOString() },
    ] as never)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('instance_meta').execute();
}
