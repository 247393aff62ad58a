/**
 * @module modules/sessions/known-devices
 *
 * The devices an account has used: the DPoP keys that have held one of its sessions
 * (`known_devices`). A key is remembered when a session is issued to it (`issueSession`), or
 * when it answered a code sent to the person (email confirmation at sign-up). The sign-in state
 * machine asks `deviceStanding` before a password alone may open a session (new-device
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

/** How many networks a device remembers: enough for home, work and a phone's carrier. */
const NETWORKS_KEPT = 8;

/**
 * Where a key stands with an account: never held a session (`unknown`), held one (`known`), or
 * held one and signs in from a network it used before (`known_here`, which attack mode asks for).
 */
export type DeviceStanding = 'unknown' | 'known' | 'known_here';

function networksOf(stored: string): string[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return []; // unreadable: no network vouches, which only ever asks for one more code
  }
}

/** `jkt` (a DPoP key thumbprint) and the account, seen from `network` (a coarse prefix, `ipPrefix`). */
export async function deviceStanding(db: Db, accountId: string, jkt: string, network: string): Promise<DeviceStanding> {
  if (bearerClientOf(jkt) !== undefined) return 'unknown';
  const row = await db
    .selectFrom('known_devices')
    .select('networks')
    .where('account_id', '=', accountId)
    .where('jkt', '=', jkt)
    .executeTakeFirst();
  if (row === undefined) return 'unknown';
  return networksOf(row.networks).includes(network) ? 'known_here' : 'known';
}

/**
 * Records that `jkt` is one of the account's devices, used from `network`, in the caller's
 * transaction. "New" is decided by insert-if-absent, so a key is never reported known before its
 * row exists; two sessions issued at the same moment to one new key may both see it as new,
 * which at worst sends one notice too many, never one too few.
 */
export async function rememberDevice(db: Db, accountId: string, jkt: string, now: number, network: string): Promise<RememberedDevice> {
  if (bearerClientOf(jkt) !== undefined) return { isNew: true, hadOtherDevices: true };
  const inserted = await db
    .insertInto('known_devices')
    .values({ account_id: accountId, jkt, first_seen_at: now, last_seen_at: now, networks: JSON.stringify([network]) })
    .onConflict((oc) => oc.columns(['account_id', 'jkt']).doNothing())
    .executeTakeFirst();
  const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (!isNew) {
    const row = await db
      .selectFrom('known_devices')
      .select('networks')
      .where('account_id', '=', accountId)
      .where('jkt', '=', jkt)
      .executeTakeFirst();
    const networks = [network, ...networksOf(row?.networks ?? '[]').filter((n) => n !== network)].slice(0, NETWORKS_KEPT);
    await db
      .updateTable('known_devices')
      .set({ last_seen_at: now, networks: JSON.stringify(networks) })
      .where('account_id', '=', accountId)
      .where('jkt', '=', jkt)
      .execute();
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
