/**
 * @module platform/db/availability
 *
 * Tells "the database cannot be reached right now" apart from every other database error, so
 * the error handler can answer `503` with `Retry-After` instead of a 500. Connection failures
 * are wrapped at the pool (see connect.ts); errors on a connection that dies mid-query are
 * recognised by their SQLSTATE class or socket error code.
 */

export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(cause: unknown) {
    super('database unavailable', { cause });
  }
}

/** Node socket errors that mean the server is gone or unreachable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs meaning "try again later": class 08 (connection exception), 57P01-57P05
 * (admin shutdown, crash shutdown, cannot connect now, database dropped, idle session timeout),
 * 53300 (too many connections) and 55000 on connect ("not currently accepting connections").
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '53300';
}

/** SQLite's "database is locked" answers mean contention; the client should retry shortly. */
const SQLITE_RETRYABLE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || isUnavailableSqlState(code) || SQLITE_RETRYABLE.has(code))) {
    return true;
  }
  const message = (error as { message?: unknown }).message;
  // node-postgres reports a socket closed under a running query with this message and no code.
  return typeof message === 'string' && /^Connection terminated/.test(message);
}
