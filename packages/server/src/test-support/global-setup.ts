/**
 * @module test-support/global-setup
 *
 * Runs once per `vitest run`: creates this run's PostgreSQL database and drops it at the end.
 * With CI=true an unreachable PostgreSQL fails the run; elsewhere the PostgreSQL variants are
 * skipped and the run says so loudly (the SQLite variants always run).
 */
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import { adminUrl, randomName, withClient, withDatabase } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of this run's PostgreSQL database, or null when PostgreSQL is unavailable outside CI. */
    postgresUrl: string | null;
    /** URL of the Redis server, or null when Redis is unavailable outside CI. */
    redisUrl: string | null;
  }
}

async function reachableRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return url;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env['CI'] === 'true') throw new Error(`Redis is required in CI but cannot be reached at ${new URL(url).host}: ${reason}`);
    process.stderr.write(
      `\n*** Redis unreachable (${reason}): the multi-instance tests are SKIPPED. Start Redis on 127.0.0.1:6379 or set PORTCULLIS_TEST_REDIS_URL. ***\n\n`,
    );
    return null;
  } finally {
    redis.disconnect();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('redisUrl', await reachableRedis(process.env['PORTCULLIS_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0'));
  const admin = adminUrl(process.env);
  const database = randomName('portcullis_test');
  try {
    await withClient(admin, (client) => client.query(`create database ${database}`));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env['CI'] === 'true') {
      throw new Error(`PostgreSQL is required in CI but cannot be reached at ${new URL(admin).host}: ${reason}`);
    }
    process.stderr.write(
      `\n*** PostgreSQL unreachable (${reason}): the PostgreSQL variants of every database test are SKIPPED. ` +
        `Start PostgreSQL on 127.0.0.1:5432 or set PORTCULLIS_TEST_POSTGRES_URL. ***\n\n`,
    );
    project.provide('postgresUrl', null);
    return async () => {};
  }
  project.provide('postgresUrl', withDatabase(admin, database));
  return async () => {
    await withClient(admin, (client) => client.query(`drop database if exists ${database} with (force)`));
  };
}
