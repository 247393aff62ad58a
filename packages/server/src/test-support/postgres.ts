/**
 * @module test-support/postgres
 *
 * Reaching the real PostgreSQL server the suite runs against (127.0.0.1:5432 on development and
 * CI machines, or `PORTCULLIS_TEST_POSTGRES_URL`). Each run gets a database of its own, created
 * by the global setup and dropped afterwards; each test app gets a fresh schema inside it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function adminUrl(env: Readonly<Record<string, string | undefined>>): string {
  return env['PORTCULLIS_TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_URL;
}

/** `postgres://h/db` with the database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `work` on a short-lived client; the client is always closed. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}
