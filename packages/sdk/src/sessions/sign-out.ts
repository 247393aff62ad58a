/**
 * @module sessions/sign-out
 *
 * Ending this device's session: on the server, then locally (tokens and DPoP key), the local
 * part even when the server cannot be told.
 */
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import { isApiError, isClientError } from '../errors.ts';

/**
 * Ends this device's session: tells the server to revoke it, then clears the local tokens and
 * DPoP key. Local state is cleared even when the server call fails; the promise then rejects
 * with that failure (the server-side session lives until it expires or is revoked from
 * another device), except when there was no live session to end.
 *
 * @throws {ClientError} `NETWORK_ERROR` when the server could not be told (local state is cleared anyway).
 * @example
 *   try {
 *     await signOut(client);
 *   } finally {
 *     showSignIn();
 *   }
 */
export async function signOut(client: CoreClient): Promise<void> {
  const engine = engineOf(client);
  let failure: { readonly error: unknown } | undefined;
  try {
    await engine.authorizedCall('DELETE', '/v1/sessions/current', undefined, () => true);
  } catch (error) {
    failure = { error };
  } finally {
    await engine.endLocalSession();
  }
  if (failure === undefined) return;
  const { error } = failure;
  const alreadyOver =
    isClientError(error, 'NOT_SIGNED_IN') ||
    isApiError(error, 'AUTH_REQUIRED') ||
    isApiError(error, 'AUTH_REFRESH_INVALID') ||
    isApiError(error, 'SESSION_NOT_FOUND');
  if (!alreadyOver) throw error;
}
