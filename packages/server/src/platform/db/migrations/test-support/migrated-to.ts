/**
 * @module platform/db/migrations/test-support/migrated-to
 *
 * Test helper, never imported by production code: brings a fresh database only as far as one
 * named migration, as an earlier release left it, so a migration test can write rows the way that
 * release wrote them and then run the newer migrations over them. Migrations that need
 * dependencies (`MigrationDeps`) are not reached this way before the named one.
 */
import { Migrator, type Kysely } from 'kysely';
import type { DatabaseHandle } from '../../connect.ts';
import { migrationsWith } from '../index.ts';

/** Migrates `database` up to and including `name`; returns the database untyped, for the old schema. */
export async function migratedTo(database: DatabaseHandle, name: string): Promise<Kysely<unknown>> {
  const db = database.db as unknown as Kysely<unknown>;
  if (database.schema !== undefined) await db.schema.createSchema(database.schema).ifNotExists().execute();
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsWith(undefined)) },
    ...(database.schema !== undefined ? { migrationTableSchema: database.schema } : {}),
  });
  const { error } = await migrator.migrateTo(name);
  if (error !== undefined) throw error instanceof Error ? error : new Error(`migrating to ${name} failed`);
  return db;
}
