/**
 * @module modules/messaging/key-packages
 *
 * KeyPackages: a device uploads many one-time ones and one last-resort one; each is checked
 * against the device's registered credential (cipher suite 1, identity, signature key, signature)
 * before it is stored. Claiming hands out one package per active device of an account the caller
 * may talk to, each one-time package at most once: on PostgreSQL the row is taken with
 * `FOR UPDATE SKIP LOCKED` inside the `UPDATE` that marks it claimed, so concurrent claims never
 * pick the same row; SQLite runs one transaction at a time. A device whose one-time packages are
 * gone hands out its last-resort one.
 */
import { randomUUID } from 'node:crypto';
import type { KeyPackageClaim, KeyPackageCount, KeyPackageUpload } from '@portcullis/protocol';
import { withTransaction, type Tx } from '../../platform/db/index.ts';
import type { MessagingKeyPackagesTable } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { MessagingDeps } from './deps.ts';
import { currentDevice, identityOf } from './devices.ts';
import { fromBase64Url, keyPackageProblem } from './mls.ts';
import { mayTalk } from './policy.ts';
import { activeDevices } from './repository.ts';

async function countFor(db: Tx | MessagingDeps['db'], deviceId: string): Promise<KeyPackageCount> {
  const rows = await db
    .selectFrom('messaging_key_packages')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('count')])
    .where('device_id', '=', deviceId)
    .where('claimed_at', 'is', null)
    .groupBy('kind')
    .execute();
  const of = (kind: string) => rows.find((row) => row.kind === kind)?.count ?? 0;
  return { oneTime: of('one_time'), lastResort: Math.min(1, of('last_resort')) };
}

export async function uploadKeyPackages(deps: MessagingDeps, principal: Principal, input: KeyPackageUpload): Promise<KeyPackageCount> {
  const device = await currentDevice(deps, principal);
  const expected = { identity: identityOf(device.account_id, device.id), signatureKey: device.signature_key };
  const all = input.lastResort === undefined ? input.keyPackages : [...input.keyPackages, input.lastResort];
  for (const [position, text] of all.entries()) {
    const problem = await keyPackageProblem(fromBase64Url(text), expected);
    if (problem !== undefined) {
      const pointer = position < input.keyPackages.length ? `/body/keyPackages/${position}` : '/body/lastResort';
      throw appError('MESSAGING_KEY_PACKAGE_INVALID', { detail: `${pointer}: ${problem}`, issues: [{ pointer, reason: problem }] });
    }
  }
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const before = await countFor(tx, device.id);
    if (before.oneTime + input.keyPackages.length > deps.config.keyPackages.maxUnclaimed) {
      throw appError('MESSAGING_KEY_PACKAGES_FULL', { detail: `${before.oneTime} waiting` });
    }
    const rows: MessagingKeyPackagesTable[] = input.keyPackages.map((key_package) => ({
      id: randomUUID(),
      device_id: device.id,
      kind: 'one_time',
      key_package,
      created_at: now,
      claimed_at: null,
    }));
    if (input.lastResort !== undefined) {
      await tx.deleteFrom('messaging_key_packages').where('device_id', '=', device.id).where('kind', '=', 'last_resort').execute();
      rows.push({
        id: randomUUID(),
        device_id: device.id,
        kind: 'last_resort',
        key_package: input.lastResort,
        created_at: now,
        claimed_at: null,
      });
    }
    if (rows.length > 0) await tx.insertInto('messaging_key_packages').values(rows).execute();
    return countFor(tx, device.id);
  });
}

export async function countKeyPackages(deps: MessagingDeps, principal: Principal): Promise<KeyPackageCount> {
  const device = await currentDevice(deps, principal);
  return countFor(deps.db, device.id);
}

/** Marks one unclaimed one-time package of the device claimed and returns it, if one is left. */
async function claimOneTime(deps: MessagingDeps, tx: Tx, deviceId: string, now: number): Promise<string | undefined> {
  const row = await tx
    .updateTable('messaging_key_packages')
    .set({ claimed_at: now })
    .where('id', '=', (eb) => {
      const next = eb
        .selectFrom('messaging_key_packages')
        .select('id')
        .where('device_id', '=', deviceId)
        .where('kind', '=', 'one_time')
        .where('claimed_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .limit(1);
      return deps.dialect === 'postgres' ? next.forUpdate().skipLocked() : next;
    })
    .where('claimed_at', 'is', null)
    .returning('key_package')
    .executeTakeFirst();
  return row?.key_package;
}

async function lastResortOf(tx: Tx, deviceId: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('messaging_key_packages')
    .select('key_package')
    .where('device_id', '=', deviceId)
    .where('kind', '=', 'last_resort')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.key_package;
}

/** One KeyPackage for each active device of `accountId` (the caller's own device excluded). */
export async function claimKeyPackages(
  deps: MessagingDeps,
  principal: Principal,
  accountId: string,
  deviceIds?: readonly string[],
): Promise<KeyPackageClaim> {
  const mine = await currentDevice(deps, principal);
  if (!(await mayTalk(deps.db, deps.config.policy.rules, principal.accountId, accountId))) {
    throw appError('MESSAGING_ACCOUNT_NOT_FOUND', { detail: 'policy or unknown account' });
  }
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    let active = activeDevices(tx, now).where('messaging_devices.account_id', '=', accountId).where('messaging_devices.id', '!=', mine.id);
    if (deviceIds !== undefined) active = active.where('messaging_devices.id', 'in', [...deviceIds]);
    const devices = await active.orderBy('messaging_devices.created_at').orderBy('messaging_devices.id').execute();
    const keyPackages: KeyPackageClaim['keyPackages'] = [];
    for (const device of devices) {
      const keyPackage = (await claimOneTime(deps, tx, device.id, now)) ?? (await lastResortOf(tx, device.id));
      if (keyPackage !== undefined) keyPackages.push({ deviceId: device.id, keyPackage, keyLogIndex: device.key_log_index });
    }
    return { keyPackages };
  });
}
