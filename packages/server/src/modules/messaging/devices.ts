/**
 * @module modules/messaging/devices
 *
 * The authentication service: a session registers one messaging device (its MLS credential:
 * identity `<accountId>:<deviceId>` and an Ed25519 signature key), and the credential's `add`
 * entry goes into the key transparency log in the same transaction, so no client can be handed
 * a credential the log does not hold. Only the session itself registers its device, and only a
 * session bound to a device key (DPoP). Signing the device out, revoking its session (every path
 * through the sessions module's revocation) or erasing the account removes the credential, with
 * its `remove` entry, in the transaction that does it; its KeyPackages and undelivered mail go,
 * and it stops receiving anything from its groups (another member's client commits its removal).
 */
import { randomBytes } from 'node:crypto';
import type { MessagingDevice, MessagingDeviceRegistered, NewMessagingDevice } from '@portcullis/protocol';
import { withTransaction, type Tx } from '../../platform/db/index.ts';
import type { MessagingDevicesTable } from '../../platform/db/schema.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { bearerClientOf } from '../sessions/index.ts';
import type { MessagingDeps } from './deps.ts';
import { mayTalk } from './policy.ts';
import { activeDevices, deleteUnwaited, deviceOfSession, lockSession } from './repository.ts';

export type RemovalReason = 'signed_out' | 'session_revoked' | 'session_expired' | 'account_erased';

/** The MLS BasicCredential identity of a device (UTF-8). */
export function identityOf(accountId: string, deviceId: string): string {
  return `${accountId}:${deviceId}`;
}

function newDeviceId(): string {
  return `dev_${randomBytes(16).toString('base64url')}`;
}

/** The calling session's active device, or `MESSAGING_DEVICE_NOT_FOUND`. */
export async function currentDevice(deps: MessagingDeps, principal: Principal): Promise<MessagingDevicesTable> {
  const [device] = await activeDevices(deps.db, deps.clock.now()).where('messaging_devices.session_id', '=', principal.sessionId).execute();
  if (!device) throw appError('MESSAGING_DEVICE_NOT_FOUND', { detail: 'the session has no messaging device' });
  return device;
}

export async function registerDevice(
  deps: MessagingDeps,
  principal: Principal,
  input: NewMessagingDevice,
  context: RequestContext,
): Promise<MessagingDeviceRegistered> {
  const { accountId, sessionId } = principal;
  const deviceId = newDeviceId();
  return withTransaction(deps.db, async (tx) => {
    const session = await lockSession(tx, deps.dialect, sessionId);
    if (!session || bearerClientOf(session.jkt) !== undefined) {
      throw appError('MESSAGING_DEVICE_BINDING_REQUIRED', { detail: 'the session is not bound to a device key' });
    }
    if (await deviceOfSession(tx, sessionId)) throw appError('MESSAGING_DEVICE_EXISTS', { detail: 'one device per session' });
    const { index } = await deps.keyLog.append(tx, { op: 'add', accountId, deviceId, signatureKey: input.signatureKey });
    await tx
      .insertInto('messaging_devices')
      .values({
        id: deviceId,
        account_id: accountId,
        session_id: sessionId,
        signature_key: input.signatureKey,
        key_log_index: index,
        created_at: deps.clock.now(),
        removed_at: null,
        removed_reason: null,
      })
      .execute();
    await context.audit('messaging.device_registered', { subject: accountId, detail: 'registered' }, tx);
    return { deviceId, accountId, identity: identityOf(accountId, deviceId), keyLog: { index } };
  });
}

/**
 * Removes the devices in `tx`: each gets its `remove` log entry, loses its KeyPackages and
 * undelivered mail, and leaves its groups. Devices already removed are left alone. Returns how
 * many were removed.
 */
export async function removeDevices(
  deps: MessagingDeps,
  tx: Tx,
  devices: readonly MessagingDevicesTable[],
  reason: RemovalReason,
): Promise<number> {
  let removed = 0;
  const now = deps.clock.now();
  for (const device of [...devices].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const changed = await tx
      .updateTable('messaging_devices')
      .set({ removed_at: now, removed_reason: reason })
      .where('id', '=', device.id)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) continue;
    await deps.keyLog.append(tx, { op: 'remove', accountId: device.account_id, deviceId: device.id, signatureKey: device.signature_key });
    await tx.deleteFrom('messaging_key_packages').where('device_id', '=', device.id).execute();
    // Its undelivered mail goes, and each message nobody else waits for goes with it.
    const undelivered = await tx.deleteFrom('messaging_mailbox').where('device_id', '=', device.id).returning('seq').execute();
    await deleteUnwaited(
      tx,
      undelivered.map((row) => row.seq),
    );
    await tx
      .updateTable('messaging_group_members')
      .set({ removed_at: now })
      .where('device_id', '=', device.id)
      .where('removed_at', 'is', null)
      .execute();
    removed += 1;
  }
  return removed;
}

/** The sessions module's revocation hook: the devices of ended sessions lose their credentials. */
export async function removeDevicesOfSessions(
  deps: MessagingDeps,
  tx: Tx,
  sessionIds: readonly string[],
  reason: RemovalReason = 'session_revoked',
): Promise<void> {
  if (sessionIds.length === 0) return;
  const devices = await tx
    .selectFrom('messaging_devices')
    .selectAll()
    .where('session_id', 'in', [...sessionIds])
    .where('removed_at', 'is', null)
    .execute();
  await removeDevices(deps, tx, devices, reason);
}

/**
 * Devices whose session ran out (idle or absolute expiry) without anything revoking it: they are
 * already excluded from claims, device lists and commits, and here they also lose the credential,
 * with its `remove` entry in the key log, so members' SDKs commit their removal. Run by the
 * retention sweep.
 */
export async function removeDevicesOfExpiredSessions(deps: MessagingDeps): Promise<number> {
  const now = deps.clock.now();
  return withTransaction(deps.db, async (tx) => {
    const expired = await tx
      .selectFrom('messaging_devices')
      .innerJoin('sessions', 'sessions.id', 'messaging_devices.session_id')
      .selectAll('messaging_devices')
      .where('messaging_devices.removed_at', 'is', null)
      .where((eb) => eb.or([eb('sessions.idle_expires_at', '<=', now), eb('sessions.absolute_expires_at', '<=', now)]))
      .execute();
    return removeDevices(deps, tx, expired, 'session_expired');
  });
}

/** The calling session signs its device out. */
export async function deregisterCurrentDevice(deps: MessagingDeps, principal: Principal, context: RequestContext): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    const device = await deviceOfSession(tx, principal.sessionId);
    if (!device) throw appError('MESSAGING_DEVICE_NOT_FOUND', { detail: 'the session has no messaging device' });
    await removeDevices(deps, tx, [device], 'signed_out');
    await context.audit('messaging.device_removed', { subject: principal.accountId, detail: 'signed_out' }, tx);
  });
}

/** The active devices of an account the caller may talk to; anyone else's look like an unknown account. */
export async function devicesOf(deps: MessagingDeps, principal: Principal, accountId: string): Promise<MessagingDevice[]> {
  if (!(await mayTalk(deps.db, deps.config.policy.rules, principal.accountId, accountId))) {
    throw appError('MESSAGING_ACCOUNT_NOT_FOUND', { detail: 'policy or unknown account' });
  }
  const rows = await activeDevices(deps.db, deps.clock.now())
    .where('messaging_devices.account_id', '=', accountId)
    .orderBy('messaging_devices.created_at')
    .orderBy('messaging_devices.id')
    .execute();
  return rows.map((row) => ({ deviceId: row.id, signatureKey: row.signature_key, keyLogIndex: row.key_log_index }));
}
