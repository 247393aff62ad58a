/**
 * @module sessions/session-list
 *
 * The account's sessions on all its devices: listing them, revoking one (a lost phone) and
 * revoking all but this device's.
 */
import type { SessionList } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseRevoked, parseSessionList, type Revoked } from '../http/response-shapes.ts';

/** Session ids as the route accepts them (`SessionIdParamsSchema`); also keeps `../` out of paths. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The account's active sessions; `current` marks this device's.
 *
 * @example
 *   const { sessions } = await listSessions(client);
 *   const others = sessions.filter((session) => !session.current);
 */
export async function listSessions(client: CoreClient): Promise<SessionList> {
  return engineOf(client).authorizedCall('GET', '/v1/sessions', undefined, parseSessionList);
}

/**
 * Revokes one of the account's sessions (e.g. a lost phone). Revoking this device's own
 * session also clears the local tokens.
 *
 * @param sessionId An `id` from {@link listSessions}.
 * @throws {ApiError} `SESSION_NOT_FOUND` when it does not exist or is not the caller's.
 * @example
 *   await revokeSession(client, lostPhone.id);
 */
export async function revokeSession(client: CoreClient, sessionId: string): Promise<Revoked> {
  if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) throw new TypeError('sessionId must be a session id');
  const engine = engineOf(client);
  const result = await engine.authorizedCall('DELETE', `/v1/sessions/${sessionId}`, undefined, parseRevoked);
  const tokens = await engine.loadTokens();
  if (tokens?.sessionId === sessionId) await engine.endLocalSession();
  return result;
}

/**
 * Revokes every session of the account except this device's ("sign out everywhere else").
 *
 * @example
 *   const { revoked } = await revokeOtherSessions(client);
 */
export async function revokeOtherSessions(client: CoreClient): Promise<Revoked> {
  return engineOf(client).authorizedCall('POST', '/v1/sessions/revoke-others', undefined, parseRevoked);
}
