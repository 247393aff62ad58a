/**
 * @module modules/sessions/known-devices
 *
 * The devices an account has used: the DPoP keys that have held one of its sessions
 * (`known_devices`). A key is remembered when a session is issued to it (`issueSession`), or
 * when it answered a code sent to the person (email confirmation at sign-up). The sign-in state
 * machine asks `isKnownDevice` before a password alone may open a session (new-device
 * confirmation, docs/security/defense.md), and a new key is what the new-device email reports.
 *
 * Only a key the person's device holds can be remembered: the network never vouches for a
 * device (a colleague on the same office network who knows the password is still a new
 * device), and a bearer binding (`sessions.bearerClients`) proves no device, so it is never
 * remembered and never known.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/index.ts';
import { bearerClientOf } from './binding.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What remembering a key found: the key was new to the account, and whether the account had others. */
export interface RememberedDevice {
  readonly isNew: boolean;
  /** The account had used another device before this one (so a new one is worth telling about). */
  readonly hadOtherDevices: boolean;
}

/** Whether `jkt` (a DPoP key thumbprint) has held a session of the account before. */
export async function isKnownDevice(db: Db, accountId: string, jkt: string): Promise<boolean> {
  if (bearerClientOf(jkt) !== undefined) return false;
  const row = await db
    .selectFrom('known_devices')
    .select('jkt')
    .where('account_id', '=', accountId)
    .where('jkt', '=', jkt)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Records that `jkt` is one of the account's devices, in the caller's transaction. "New" is
 * decided by insert-if-absent, so a key is never reported known before its row exists; two
 * sessions issued at the same moment to one new key may both see it as new, which at worst
 * sends one notice too many, never one too few.
 */
export async function rememberDevice(db: Db, accountId: string, jkt: string, now: number): Promise<RememberedDevice> {
  if (bearerClientOf(jkt) !== undefined) return { isNew: true, hadOtherDevices: true };
  const inserted = await db
    .insertInto('known_devices')
    .values({ account_id: accountId, jkt, first_seen_at: now, last_seen_at: now })
    .onConflict((oc) => oc.columns(['account_id', 'jkt']).doNothing())
    .executeTakeFirst();
  const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (!isNew) {
    await db.updateTable('known_devices').set({ last_seen_at: now }).where('account_id', '=', accountId).where('jkt', '=', jkt).execute();
    return { isNew, hadOtherDevices: true };
  }
  const other = await db
    .selectFrom('known_devices')
    .select('jkt')
    .where('account_id', '=', accountId)
    .where('jkt', '!=', jkt)
    .limit(1)
    .executeTakeFirst();
  return { isNew, hadOtherDevices: other !== undefined };
}

/**
 * Forgets that `jkt` is one of the account's devices (the person said a sign-in from it was not
 * theirs): its next password sign-in must confirm the device again.
 */
export async function forgetDevice(db: Db, accountId: string, jkt: string): Promise<void> {
  await db.deleteFrom('known_devices').where('account_id', '=', accountId).where('jkt', '=', jkt).execute();
}
