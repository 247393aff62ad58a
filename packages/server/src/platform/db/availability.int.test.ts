/**
 * Database outage on the real PostgreSQL server: while the database refuses connections, the
 * readiness probe and database-backed routes answer 503 SERVICE_UNAVAILABLE with Retry-After
 * (never a 500 or a hang), and they recover without a restart once it accepts connections
 * again. The outage is real: the database is closed to connections and its backends killed.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { postgresRunUrl } from '../../test-support/databases.ts';
import { fixtureRoutes } from '../../test-support/fixture-routes.ts';
import { randomName, withClient, withDatabase } from '../../test-support/postgres.ts';

const runUrl = postgresRunUrl();

describe.runIf(runUrl !== null)('PostgreSQL outage and recovery', () => {
  const database = randomName('portcullis_outage');
  const admin = runUrl ?? '';
  let app: App;

  const setConnections = (allowed: boolean) =>
    withClient(admin, async (client) => {
      await client.query(`alter database ${database} with allow_connections ${allowed}`);
      if (!allowed) await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database]);
    });

  beforeAll(async () => {
    await withClient(admin, (client) => client.query(`create database ${database}`));
    app = await buildTestApp({
      dialect: 'postgres',
      plugins: [fixtureRoutes],
      config: { database: { url: withDatabase(admin, database), schema: 'public', connectTimeoutMs: 1000 } },
    });
  });
  afterAll(async () => {
    await app.close();
    await withClient(admin, (client) => client.query(`drop database if exists ${database} with (force)`));
  });

  it('is ready while the database is up', async () => {
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/fixture/db' })).statusCode).toBe(200);
  });

  it('answers 503 with Retry-After while the database refuses connections, and stays alive', async () => {
    await setConnections(false);
    for (const url of ['/readyz', '/v1/fixture/db']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    }
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('survives losing a connection it holds between statements (no unhandled error event)', async () => {
    await setConnections(true);
    const held = app.portcullis.database.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      await setConnections(false); // terminates this very backend while no query is running on it
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`select 1`.execute(tx);
    });
    await expect(held).rejects.toThrow();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('recovers without a restart when the database accepts connections again', async () => {
    await setConnections(true);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/fixture/db' })).statusCode).toBe(200);
  });
});
