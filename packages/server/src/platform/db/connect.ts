/**
 * @module platform/db/connect
 *
 * Opens the configured database behind one Kysely instance. SQLite (better-sqlite3) is the
 * embedded default: WAL journal with `synchronous=NORMAL` plus the commit barrier (group commit,
 * see commit-barrier.ts), so an acknowledged write survives a crash or power loss without an
 * fsync on the event loop per commit. PostgreSQL (pg) is the production choice: a bounded pool whose
 * connection failures surface as `DatabaseUnavailableError` (→ 503) and whose idle-client
 * errors are logged instead of crashing the process.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type PostgresPool } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.ts';
import { DatabaseUnavailableError } from './availability.ts';
import { createCommitBarrier, type CommitBarrier } from './commit-barrier.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** PostgreSQL schema holding the tables (undefined on SQLite). */
  readonly schema: string | undefined;
  /**
   * Everything committed so far is on stable storage. Responses wait for it (see app.ts), so
   * nothing is acknowledged before it is durable. PostgreSQL commits are durable when they
   * return; SQLite's are flushed in groups by the commit barrier.
   */
  readonly commits: Pick<CommitBarrier, 'isDurable' | 'durable'>;
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
 * A statement that may commit: a write (INSERT, UPDATE, DELETE, with or without RETURNING) or
 * transaction control (COMMIT counts as read-only to SQLite). Whenever it leaves no transaction
 * open, something has just committed, and the barrier must flush it before any response.
 */
function noteCommitsOf(
  statement: BetterSqlite3.Statement,
  database: BetterSqlite3.Database,
  barrier: CommitBarrier,
): BetterSqlite3.Statement {
  const afterwards = <T>(result: T): T => {
    if (!database.inTransaction) barrier.noteCommit();
    return result;
  };
  const wrapper = {
    reader: statement.reader,
    readonly: statement.readonly,
    source: statement.source,
    run: (...parameters: unknown[]) => afterwards(statement.run(...parameters)),
    all: (...parameters: unknown[]) => afterwards(statement.all(...parameters)),
    get: (...parameters: unknown[]) => afterwards(statement.get(...parameters)),
    *iterate(...parameters: unknown[]) {
      yield* statement.iterate(...parameters);
      afterwards(undefined);
    },
  };
  return wrapper as unknown as BetterSqlite3.Statement;
}

/**
 * Kysely's SQLite driver prepares every query anew (~100 µs for the session lookup join).
 * better-sqlite3 statements are reusable and Kysely runs each one synchronously to completion,
 * so caching them by SQL text is safe; the cache is bounded and evicts the oldest entry.
 * Statements that may commit are wrapped to tell the commit barrier when they do.
 */
function prepareStatements(database: BetterSqlite3.Database, barrier: CommitBarrier): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, BetterSqlite3.Statement>();
  database.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      const prepared = prepare(source);
      // Plain reads are used as they are; anything else may commit.
      statement = prepared.reader && prepared.readonly ? prepared : noteCommitsOf(prepared, database, barrier);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
}

/**
 * `fdatasync` of the database's WAL file on the libuv thread pool. The file is opened on the
 * first flush and stays open: SQLite only removes it when the last connection closes, and this
 * connection lives as long as the process. The directory is flushed once too, so the WAL file's
 * own entry survives a power loss. No WAL file means nothing to flush: SQLite removes it only
 * after checkpointing it into the database file (and syncing that) on close.
 */
function walFlusher(file: string): { flush: () => Promise<void>; release: () => Promise<void> } {
  let wal: FileHandle | undefined;
  const openWal = async (): Promise<FileHandle> => {
    const directory = await open(path.dirname(file), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return open(`${file}-wal`, 'r');
  };
  return {
    flush: async () => {
      try {
        wal ??= await openWal();
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return;
        throw error;
      }
      await wal.datasync();
    },
    release: async () => {
      await wal?.close();
      wal = undefined;
    },
  };
}

interface OpenedSqlite {
  readonly db: Kysely<Database>;
  readonly barrier: CommitBarrier;
}

function openSqlite(file: string, log: Logger): OpenedSqlite {
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = new BetterSqlite3(file);
  const barrier = createCommitBarrier({
    // An in-memory database has nothing to flush.
    ...(inMemory ? { flush: () => Promise.resolve() } : walFlusher(file)),
    onFailure: (error) =>
      log.fatal({ code: (error as { code?: string }).code }, 'flushing the database WAL failed; no further writes are acknowledged'),
  });
  prepareStatements(database, barrier);
  database.pragma('journal_mode = WAL');
  // Consistent after a power loss, durable once the barrier has flushed (see commit-barrier.ts).
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), barrier };
}

/** int8 columns hold epoch milliseconds (< 2^53): return numbers, as SQLite does, not strings. */
const INT8_OID = 20;

/**
 * The pg pool, created on the first query. The driver is imported only then, so a process on
 * the embedded SQLite default does not carry it (about 2.5 MB of heap).
 */
async function createPostgresPool(config: Config['database'], log: Logger): Promise<PostgresPool> {
  const { default: pg } = await import('pg');
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => Number(value));
  const pool = new pg.Pool({
    types,
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'portcullis',
    // The schema name is validated by the config schema (identifier characters only).
    options: `-c search_path=${config.schema}`,
  });
  // A lost connection emits 'error' on its client; an 'error' event nobody listens to would crash
  // the process. The pool listens only while a client is idle, so a connection lost while it is
  // checked out between two statements (inside a transaction, say) needs a listener of its own.
  // The next statement on it fails and is answered 503 like any other outage.
  const connectionLost = (error: Error) => log.warn({ code: (error as { code?: string }).code }, 'database connection lost');
  pool.on('connect', (client) => client.on('error', connectionLost));
  // Idle clients' errors are also re-emitted here; the client's own listener has logged them.
  pool.on('error', () => undefined);
  return {
    connect: async () => {
      try {
        return await pool.connect();
      } catch (error) {
        throw new DatabaseUnavailableError(error);
      }
    },
    end: () => pool.end(),
  };
}

function openPostgres(config: Config['database'], log: Logger): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: () => createPostgresPool(config, log) }) });
}

/** PostgreSQL acknowledges a commit only once it is durable (`synchronous_commit`). */
const ALREADY_DURABLE: DatabaseHandle['commits'] = { isDurable: () => true, durable: () => Promise.resolve() };

export function openDatabase(config: Config, log: Logger): DatabaseHandle {
  const ping = async (db: Kysely<Database>): Promise<void> => {
    await sql`select 1`.execute(db);
  };
  if (!config.database.url.startsWith('sqlite:')) {
    const db = openPostgres(config.database, log);
    return {
      db,
      dialect: 'postgres',
      schema: config.database.schema,
      commits: ALREADY_DURABLE,
      ping: () => ping(db),
      close: () => db.destroy(),
    };
  }
  const { db, barrier } = openSqlite(resolveSqlitePath(config.database.url, config.dataDir), log);
  return {
    db,
    dialect: 'sqlite',
    schema: undefined,
    commits: barrier,
    ping: () => ping(db),
    close: async () => {
      try {
        await barrier.close();
      } finally {
        await db.destroy();
      }
    },
  };
}
