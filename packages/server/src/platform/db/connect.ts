/**
 * @module platform/db/connect
 *
 * Opens the configured database behind one Kysely instance. SQLite (better-sqlite3) is the
 * embedded default: WAL journal with `synchronous=FULL`, so an acknowledged write survives a
 * crash or power loss. PostgreSQL (pg) is the production choice: a bounded pool whose
 * connection failures surface as `DatabaseUnavailableError` (→ 503) and whose idle-client
 * errors are logged instead of crashing the process.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type PostgresPool } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.ts';
import { DatabaseUnavailableError } from './availability.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** PostgreSQL schema holding the tables (undefined on SQLite). */
  readonly schema: string | undefined;
  /** Cheap round trip used by readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function resolveSqlitePath(url: string, dataDir: string): string {
  const file = url.slice('sqlite:'.length);
  if (file === ':memory:') return file;
  return path.isAbsolute(file) ? file : path.join(dataDir, file);
}

/** Distinct SQL texts kept prepared; Kysely's queries are parameterised, so a few hundred cover the app. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew (~100 µs for the session lookup join).
 * better-sqlite3 statements are reusable and Kysely runs each one synchronously to completion,
 * so caching them by SQL text is safe; the cache is bounded and evicts the oldest entry.
 */
function cachePreparedStatements(database: BetterSqlite3.Database): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, BetterSqlite3.Statement>();
  database.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
}

function openSqlite(file: string): Kysely<Database> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = new BetterSqlite3(file);
  cachePreparedStatements(database);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

/** int8 columns hold epoch milliseconds (< 2^53): return numbers, as SQLite does, not strings. */
const INT8_OID = 20;
const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(INT8_OID, (value: string) => Number(value));

function openPostgres(config: Config['database'], log: Logger): Kysely<Database> {
  const pool = new pg.Pool({
    types: pgTypes,
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'portcullis',
    // The schema name is validated by the config schema (identifier characters only).
    options: `-c search_path=${config.schema}`,
  });
  // A backend killed under an idle client emits 'error' on the pool; unhandled, it would crash us.
  pool.on('error', (error) => log.warn({ code: (error as { code?: string }).code }, 'idle database connection lost'));
  const guarded: PostgresPool = {
    connect: async () => {
      try {
        return await pool.connect();
      } catch (error) {
        throw new DatabaseUnavailableError(error);
      }
    },
    end: () => pool.end(),
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: guarded }) });
}

export function openDatabase(config: Config, log: Logger): DatabaseHandle {
  const isSqlite = config.database.url.startsWith('sqlite:');
  const db = isSqlite ? openSqlite(resolveSqlitePath(config.database.url, config.dataDir)) : openPostgres(config.database, log);
  return {
    db,
    dialect: isSqlite ? 'sqlite' : 'postgres',
    schema: isSqlite ? undefined : config.database.schema,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
