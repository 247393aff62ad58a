/**
 * @module modules/messaging/mailbox
 *
 * A device's mailbox: the Welcomes, handshake and application messages waiting for it, in `seq`
 * order. The device reads after the last entry it processed, then acknowledges up to it, and the
 * server deletes what it acknowledged (a message stored once for several recipients goes when
 * its last recipient has it). Nothing waits forever: entries older than
 * `messaging.mailbox.retentionDays` are deleted, for every device, whether or not it came back,
 * and attachments of that age with them.
 */
import type { MailboxAcked, MailboxEntry, MailboxEvent } from '@portcullis/protocol';
import { withTransaction } from '../../platform/db/index.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { MessagingDeps } from './deps.ts';
import { currentDevice, removeDevicesOfExpiredSessions } from './devices.ts';
import { deleteUnwaited } from './repository.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_MAILBOX_PAGE = 100;

/** Retention sweeps run at most this often per instance; between them, reads skip expired entries anyway. */
const SWEEP_EVERY_MS = 60_000;

function cutoff(deps: MessagingDeps): number {
  return deps.clock.now() - deps.config.mailbox.retentionDays * DAY_MS;
}

/** The waiting entries of `deviceId` after `after`, oldest first, with or without their payloads. */
function waitingFor(deps: MessagingDeps, deviceId: string, after: number, limit: number) {
  return deps.db
    .selectFrom('messaging_mailbox')
    .innerJoin('messaging_messages', 'messaging_messages.seq', 'messaging_mailbox.seq')
    .where('messaging_mailbox.device_id', '=', deviceId)
    .where('messaging_mailbox.seq', '>', after)
    .where('messaging_messages.created_at', '>=', cutoff(deps))
    .orderBy('messaging_mailbox.seq')
    .limit(limit);
}

export async function readMailbox(deps: MessagingDeps, principal: Principal, after: number, limit: number): Promise<MailboxEntry[]> {
  const device = await currentDevice(deps, principal);
  const rows = await waitingFor(deps, device.id, after, limit)
    .select([
      'messaging_mailbox.seq',
      'messaging_messages.group_id',
      'messaging_messages.kind',
      'messaging_messages.payload',
      'messaging_messages.created_at',
    ])
    .execute();
  return rows.map((row) => ({
    seq: row.seq,
    groupId: row.group_id,
    kind: row.kind,
    payload: row.payload,
    sentAt: new Date(row.created_at).toISOString(),
  }));
}

/** What the event stream announces: entries after `after`, without payloads. */
export async function mailboxEvents(deps: MessagingDeps, deviceId: string, after: number, limit: number): Promise<MailboxEvent[]> {
  const rows = await waitingFor(deps, deviceId, after, limit)
    .select(['messaging_mailbox.seq', 'messaging_messages.group_id', 'messaging_messages.kind'])
    .execute();
  return rows.map((row) => ({ seq: row.seq, groupId: row.group_id, kind: row.kind }));
}

/** Deletes the device's entries up to `upTo`, and each message no device waits for any more. */
export async function acknowledge(deps: MessagingDeps, principal: Principal, upTo: number): Promise<MailboxAcked> {
  const device = await currentDevice(deps, principal);
  const deleted = await withTransaction(deps.db, async (tx) => {
    const acked = await tx
      .deleteFrom('messaging_mailbox')
      .where('device_id', '=', device.id)
      .where('seq', '<=', upTo)
      .returning('seq')
      .execute();
    const seqs = acked.map((row) => row.seq);
    await deleteUnwaited(tx, seqs);
    return seqs.length;
  });
  await sweepExpired(deps);
  return { deleted };
}

/** When each application's last sweep ran (per instance: a sweep elsewhere is harmless). */
const lastSweeps = new WeakMap<MessagingDeps, number>();

/**
 * Deletes messages (and their mailbox entries) and attachments older than the retention, and
 * removes the credentials of devices whose session expired, at most once a minute; returns how
 * many messages went.
 */
export async function sweepExpired(deps: MessagingDeps, options: { readonly force?: boolean } = {}): Promise<number> {
  const now = deps.clock.now();
  if (options.force !== true && now - (lastSweeps.get(deps) ?? 0) < SWEEP_EVERY_MS) return 0;
  lastSweeps.set(deps, now);
  const before = cutoff(deps);
  await removeDevicesOfExpiredSessions(deps);
  return withTransaction(deps.db, async (tx) => {
    const expired = tx.selectFrom('messaging_messages').select('seq').where('created_at', '<', before);
    await tx.deleteFrom('messaging_mailbox').where('seq', 'in', expired).execute();
    const removed = await tx.deleteFrom('messaging_messages').where('created_at', '<', before).executeTakeFirst();
    // Attachments go with the messages that could refer to them.
    await tx.deleteFrom('messaging_attachments').where('created_at', '<', before).execute();
    return Number(removed.numDeletedRows);
  });
}
