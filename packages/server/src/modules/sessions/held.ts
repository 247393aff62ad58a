/**
 * @module modules/sessions/held
 *
 * The sessions side of erasure: deletes every session of an account with its tokens, the
 * new-device links that point at them, and the devices it signed in from — inside the erasure
 * transaction, after the revocation hook has run for those sessions (as for any revocation). Deleting (not revoking) leaves no device label or network behind; a token of a
 * deleted session finds no row and is refused like any unknown token.
 */
import type { DataProtection } from '../../platform/data-protection/index.ts';
import { withOpenedLabel } from './device-labels.ts';
import type { Kysely } from 'kysely';
import type { Database, KnownDevicesTable, SessionsTable, Tx } from '../../platform/db/index.ts';
import type { SessionsRevokedHook } from './service.ts';

export interface SessionsForgotten {
  readonly sessions: number;
  readonly knownDevices: number;
}

export async function forgetSessionsOf(
  tx: Tx,
  accountId: string,
  onSessionsRevoked: SessionsRevokedHook | undefined,
): Promise<SessionsForgotten> {
  const ofAccount = tx.selectFrom('sessions').select('id').where('account_id', '=', accountId);
  // Deleting ends the sessions: what other modules tied to them ends first, in this transaction.
  const ids = (await ofAccount.execute()).map((row) => row.id);
  if (ids.length > 0 && onSessionsRevoked) await onSessionsRevoked(tx, ids);
  await tx.deleteFrom('device_notices').where('account_id', '=', accountId).execute();
  await tx.deleteFrom('step_up_challenges').where('account_id', '=', accountId).execute();
  await tx.deleteFrom('session_tokens').where('session_id', 'in', ofAccount).execute();
  const sessions = await tx.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst();
  const devices = await tx.deleteFrom('known_devices').where('account_id', '=', accountId).executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), knownDevices: Number(devices.numDeletedRows) };
}

/** The account's stored sessions, newest first, and the devices it signed in from: metadata for the person's export. */
export async function sessionsHeldAbout(
  dataProtection: DataProtection,
  db: Kysely<Database>,
  accountId: string,
): Promise<{ sessions: SessionsTable[]; knownDevices: KnownDevicesTable[] }> {
  const sessions = await db.selectFrom('sessions').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').execute();
  return {
    // Device labels are sealed for the person (device-labels.ts); the export shows them opened.
    sessions: await Promise.all(sessions.map((session) => withOpenedLabel(dataProtection, db, session))),
    knownDevices: await db.selectFrom('known_devices').selectAll().where('account_id', '=', accountId).orderBy('first_seen_at').execute(),
  };
}
