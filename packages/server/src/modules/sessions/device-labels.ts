/**
 * @module modules/sessions/device-labels
 *
 * The label an app gives its device ("Alice's iPhone") can name the person, so it is stored only
 * sealed for the account holder (platform/data-protection), bound to the session row. It is
 * opened for the two places that show it: the account's session list (its own, or an admin's
 * view of it) and the new-device email, which is written from the label still in memory.
 */
import { SealedDataUnreadableError } from '../../platform/crypto/index.ts';
import type { DataDb, DataProtection, FieldLocation } from '../../platform/data-protection/index.ts';
import type { SessionsTable } from '../../platform/db/index.ts';

/** Shown for a label that no longer opens (the person was erased, or the row was tampered with). */
export const UNREADABLE_DEVICE_LABEL = 'Unknown device';

const labelAt = (sessionId: string): FieldLocation => ({ table: 'sessions', column: 'device_label', rowId: sessionId });

export function sealDeviceLabel(
  dataProtection: DataProtection,
  db: DataDb,
  session: Pick<SessionsTable, 'id' | 'account_id'>,
  label: string,
): Promise<string> {
  return dataProtection.seal(db, session.account_id, label, labelAt(session.id));
}

/** The session with its label opened. */
export async function withOpenedLabel(dataProtection: DataProtection, db: DataDb, session: SessionsTable): Promise<SessionsTable> {
  try {
    return { ...session, device_label: await dataProtection.open(db, session.account_id, session.device_label, labelAt(session.id)) };
  } catch (error) {
    if (error instanceof SealedDataUnreadableError) return { ...session, device_label: UNREADABLE_DEVICE_LABEL };
    throw error;
  }
}
