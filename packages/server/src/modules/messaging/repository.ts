/**
 * @module modules/messaging/repository
 *
 * The messaging tables' queries. A device counts as active while it is not removed, its session
 * is live (not revoked, not expired) and its account active: an expired session's credential is
 * never handed out, even before anything removes it. On PostgreSQL rows are locked where order
 * matters (`FOR UPDATE`, and `SKIP LOCKED` for claims); SQLite runs one transaction at a time.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, DialectName, Tx } from '../../platform/db/index.ts';
import type { MessagingDevicesTable, MessagingMessagesTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database>;

/** Devices usable now, with their rows. */
export function activeDevices(db: Db, now: number) {
  return db
    .selectFrom('messaging_devices')
    .innerJoin('sessions', 'sessions.id', 'messaging_devices.session_id')
    .innerJoin('accounts', 'accounts.id', 'messaging_devices.account_id')
    .where('messaging_devices.removed_at', 'is', null)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.idle_expires_at', '>', now)
    .where('sessions.absolute_expires_at', '>', now)
    .where('accounts.status', '=', 'active')
    .selectAll('messaging_devices');
}

/** The session's device, when it has one that is not removed. */
export async function deviceOfSession(db: Db, sessionId: string): Promise<MessagingDevicesTable | undefined> {
  return db
    .selectFrom('messaging_devices')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** Takes the session row's lock (PostgreSQL) so that one session registers one device at a time. */
export async function lockSession(tx: Tx, dialect: DialectName, sessionId: string): Promise<{ jkt: string } | undefined> {
  const query = tx.selectFrom('sessions').select('jkt').where('id', '=', sessionId);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

/**
 * Locks the devices' rows in id order (PostgreSQL). Everything written to a device's mailbox is
 * written under this lock, so a device's entries commit in the order of their `seq`.
 */
export async function lockDevices(tx: Tx, dialect: DialectName, deviceIds: readonly string[]): Promise<void> {
  if (dialect !== 'postgres' || deviceIds.length === 0) return;
  await tx
    .selectFrom('messaging_devices')
    .select('id')
    .where('id', 'in', [...new Set(deviceIds)].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** The group row, locked against commits (`update`: a commit; `share`: a message in the current epoch). */
export async function lockGroup(tx: Tx, dialect: DialectName, groupId: string, mode: 'update' | 'share') {
  const query = tx.selectFrom('messaging_groups').select(['id', 'epoch']).where('id', '=', groupId);
  if (dialect !== 'postgres') return query.executeTakeFirst();
  return (mode === 'update' ? query.forUpdate() : query.forShare()).executeTakeFirst();
}

/** Active members of a group. */
export async function activeMembers(db: Db, groupId: string): Promise<{ device_id: string; account_id: string }[]> {
  return db
    .selectFrom('messaging_group_members')
    .select(['device_id', 'account_id'])
    .where('group_id', '=', groupId)
    .where('removed_at', 'is', null)
    .orderBy('joined_at')
    .orderBy('device_id')
    .execute();
}

/**
 * Stores one message and puts it in each recipient's mailbox; returns its `seq`. The caller has
 * locked the recipients' device rows (`lockDevices`) in the same transaction.
 */
export async function deliver(tx: Tx, message: Omit<MessagingMessagesTable, 'seq'>, recipients: readonly string[]): Promise<number> {
  const { seq } = await tx.insertInto('messaging_messages').values(message).returning('seq').executeTakeFirstOrThrow();
  if (recipients.length > 0) {
    await tx
      .insertInto('messaging_mailbox')
      .values([...new Set(recipients)].map((device_id) => ({ device_id, seq })))
      .execute();
  }
  return seq;
}

/** Deletes those of the messages `seqs` that no device's mailbox holds any more. */
export async function deleteUnwaited(tx: Tx, seqs: readonly number[]): Promise<void> {
  if (seqs.length === 0) return;
  await tx
    .deleteFrom('messaging_messages')
    .where('seq', 'in', [...seqs])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('messaging_mailbox').select(sql.lit(1).as('one')).whereRef('messaging_mailbox.seq', '=', 'messaging_messages.seq'),
        ),
      ),
    )
    .execute();
}
