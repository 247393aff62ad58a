/**
 * @module modules/introspection/repository
 *
 * The one read introspection needs beyond the sessions module's public surface: when an access
 * token (already authenticated by `authenticateAccessToken`) was issued and when it expires, for
 * the RFC 7662 `iat` and `exp` members. Read-only, scoped to the session the token belongs to.
 * TODO(v0.2): move into the sessions module (an `introspectAccessToken` that returns the token
 * row with the session) — it saves this second round trip and keeps `session_tokens` private to
 * sessions; it is here only because that module is owned elsewhere.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/index.ts';

export interface AccessTokenTimes {
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export async function findAccessTokenTimes(db: Kysely<Database>, tokenId: string, sessionId: string): Promise<AccessTokenTimes | undefined> {
  const row = await db
    .selectFrom('session_tokens')
    .select(['created_at', 'expires_at'])
    .where('id', '=', tokenId)
    .where('session_id', '=', sessionId)
    .where('kind', '=', 'access')
    .executeTakeFirst();
  return row ? { createdAt: row.created_at, expiresAt: row.expires_at } : undefined;
}
