/**
 * @module test-support/databases
 *
 * The databases every database-backed test runs against: SQLite always, PostgreSQL whenever the
 * run has one (always in CI). Use with `describe.each(testDatabases())`.
 */
import { inject } from 'vitest';
import { randomName } from './postgres.ts';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestDatabase {
  readonly dialect: TestDialect;
  /** Database settings for one app with fresh, empty storage (a new SQLite file, or a new PostgreSQL schema). */
  freshDatabase(): { url: string; schema?: string };
}

const sqlite: TestDatabase = {
  dialect: 'sqlite',
  // Relative to each test app's own temporary data directory.
  freshDatabase: () => ({ url: 'sqlite:portcullis.db' }),
};

export function postgresRunUrl(): string | null {
  return inject('postgresUrl');
}

/** The Redis server of this run, or null outside CI when none is reachable. */
export function redisRunUrl(): string | null {
  return inject('redisUrl');
}

export function testDatabases(): TestDatabase[] {
  const runUrl = postgresRunUrl();
  if (runUrl === null) return [sqlite];
  return [sqlite, { dialect: 'postgres', freshDatabase: () => ({ url: runUrl, schema: randomName('t') }) }];
}
