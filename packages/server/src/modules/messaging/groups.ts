/**
 * @module modules/messaging/groups
 *
 * Conversations: MLS groups whose members are devices. The server orders each group's handshake
 * messages: a commit is accepted only for the group's current epoch, by a compare-and-increment
 * under the group row's lock, so of two concurrent commits exactly one wins and the other gets
 * `409 EPOCH_CONFLICT` with the current epoch. An application message is accepted only in the
 * current epoch. Everything goes to the mailboxes of the other member devices; a Welcome to the
 * devices a commit adds, whose accounts the policy must let every member talk to. The server
 * reads only the messages' framing (mls.ts). A device that is not a member learns nothing of a
 * group: it gets the same 404 as for a group that does not exist.
 */
import type {
  MessagingCommit,
  MessagingEpoch,
  MessagingGroup,
  MessagingGroupSummary,
  MessagingSent,
  NewMessagingGroup,
} from '@portcullis/protocol';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { MessagingDeps } from './deps.ts';
import { currentDevice } from './devices.ts';
import { fromBase64Url, isWelcome, messageHeader } from './mls.ts';
import { mayAllTalk } from './policy.ts';
import { activeDevices, activeMembers, deliver, lockDevices, lockGroup } from './repository.ts';

const notFound = () => appError('MESSAGING_GROUP_NOT_FOUND', { detail: 'no such group or not a member' });
const invalid = (detail: string) => appError('MESSAGING_MESSAGE_INVALID', { detail });
/** Rings each recipient's doorbell once the delivery has committed, so open event streams read it at once. */
async function wake(deps: MessagingDeps, deviceIds: readonly string[]): Promise<void> {
  await Promise.all([...new Set(deviceIds)].map((deviceId) => deps.doorbell.ring(deviceId)));
}

const conflict = (currentEpoch: number) => appError('EPOCH_CONFLICT', { detail: `group at epoch ${currentEpoch}`, currentEpoch });

export async function createGroup(deps: MessagingDeps, principal: Principal, input: NewMessagingGroup): Promise<MessagingGroupSummary> {
  const device = await currentDevice(deps, principal);
  return withTransaction(deps.db, async (tx) => {
    const existing = await tx.selectFrom('messaging_groups').select('id').where('id', '=', input.groupId).executeTakeFirst();
    if (existing) throw appError('MESSAGING_GROUP_EXISTS', { detail: 'group id taken' });
    const now = deps.clock.now();
    await tx.insertInto('messaging_groups').values({ id: input.groupId, epoch: 0, created_by: device.id, created_at: now }).execute();
    await tx
      .insertInto('messaging_group_members')
      .values({
        group_id: input.groupId,
        device_id: device.id,
        account_id: device.account_id,
        joined_epoch: 0,
        joined_at: now,
        removed_at: null,
      })
      .execute();
    return { groupId: input.groupId, epoch: 0 };
  });
}

export async function listGroups(deps: MessagingDeps, principal: Principal): Promise<MessagingGroupSummary[]> {
  const device = await currentDevice(deps, principal);
  const rows = await deps.db
    .selectFrom('messaging_group_members')
    .innerJoin('messaging_groups', 'messaging_groups.id', 'messaging_group_members.group_id')
    .select(['messaging_groups.id', 'messaging_groups.epoch'])
    .where('messaging_group_members.device_id', '=', device.id)
    .where('messaging_group_members.removed_at', 'is', null)
    .orderBy('messaging_group_members.joined_at')
    .orderBy('messaging_groups.id')
    .execute();
  return rows.map((row) => ({ groupId: row.id, epoch: row.epoch }));
}

export async function readGroup(deps: MessagingDeps, principal: Principal, groupId: string): Promise<MessagingGroup> {
  const device = await currentDevice(deps, principal);
  const group = await deps.db.selectFrom('messaging_groups').select(['id', 'epoch']).where('id', '=', groupId).executeTakeFirst();
  if (!group) throw notFound();
  const members = await activeMembers(deps.db, groupId);
  if (!members.some((member) => member.device_id === device.id)) throw notFound();
  return {
    groupId,
    epoch: group.epoch,
    members: members.map((member) => ({ accountId: member.account_id, deviceId: member.device_id })),
  };
}

export async function commitToGroup(
  deps: MessagingDeps,
  principal: Principal,
  groupId: string,
  input: MessagingCommit,
): Promise<MessagingEpoch> {
  const device = await currentDevice(deps, principal);
  const commit = fromBase64Url(input.commit);
  const welcome = input.welcome === undefined ? undefined : fromBase64Url(input.welcome);
  if (commit.length + (welcome?.length ?? 0) > deps.config.maxHandshakeBytes) {
    throw appError('MESSAGING_MESSAGE_TOO_LARGE', { detail: 'commit and welcome over messaging.maxHandshakeBytes' });
  }
  const header = await messageHeader(commit);
  if (!header || header.contentType !== 'commit') throw invalid('not a commit');
  if (header.groupId !== groupId) throw invalid('commit for another group');
  if (input.added.length > 0 !== (welcome !== undefined)) throw invalid('a welcome goes with added devices, and only then');
  if (welcome !== undefined && !(await isWelcome(welcome))) throw invalid('not a welcome');
  if (input.added.includes(device.id) || input.removed.includes(device.id)) throw invalid('the committer adds or removes itself');
  if (input.added.some((id) => input.removed.includes(id))) throw invalid('a device both added and removed');

  const woken: string[] = [];
  const accepted = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const group = await lockGroup(tx, deps.dialect, groupId, 'update');
    if (!group) throw notFound();
    const members = await activeMembers(tx, groupId);
    if (!members.some((member) => member.device_id === device.id)) throw notFound();
    if (group.epoch !== header.epoch) throw conflict(group.epoch);

    const everRemovable = await tx
      .selectFrom('messaging_group_members')
      .select('device_id')
      .where('group_id', '=', groupId)
      .where('device_id', 'in', input.removed.length > 0 ? input.removed : [''])
      .execute();
    if (everRemovable.length !== input.removed.length)
      throw appError('MESSAGING_DEVICE_NOT_FOUND', { detail: 'removed device not in group' });
    const added = input.added.length === 0 ? [] : await activeDevices(tx, now).where('messaging_devices.id', 'in', input.added).execute();
    if (added.length !== input.added.length) throw appError('MESSAGING_DEVICE_NOT_FOUND', { detail: 'added device unknown or inactive' });
    if (added.some((newcomer) => members.some((member) => member.device_id === newcomer.id)))
      throw invalid('added device already a member');
    const remaining = members.filter((member) => !input.removed.includes(member.device_id));
    const allowed = await mayAllTalk(
      tx,
      deps.config.policy.rules,
      remaining.map((member) => member.account_id),
      added.map((newcomer) => newcomer.account_id),
    );
    if (!allowed) throw appError('MESSAGING_DEVICE_NOT_FOUND', { detail: 'policy refuses an added device' });

    const recipients = remaining.map((member) => member.device_id).filter((id) => id !== device.id);
    await lockDevices(tx, deps.dialect, [...recipients, ...input.added]);
    const advanced = await tx
      .updateTable('messaging_groups')
      .set({ epoch: header.epoch + 1 })
      .where('id', '=', groupId)
      .where('epoch', '=', header.epoch)
      .executeTakeFirst();
    if (Number(advanced.numUpdatedRows) !== 1) throw conflict(group.epoch);
    if (input.removed.length > 0) {
      await tx
        .updateTable('messaging_group_members')
        .set({ removed_at: now })
        .where('group_id', '=', groupId)
        .where('device_id', 'in', input.removed)
        .where('removed_at', 'is', null)
        .execute();
    }
    if (added.length > 0) {
      // A device removed earlier and added again starts a new membership.
      await tx.deleteFrom('messaging_group_members').where('group_id', '=', groupId).where('device_id', 'in', input.added).execute();
      await tx
        .insertInto('messaging_group_members')
        .values(
          added.map((newcomer) => ({
            group_id: groupId,
            device_id: newcomer.id,
            account_id: newcomer.account_id,
            joined_epoch: header.epoch + 1,
            joined_at: now,
            removed_at: null,
          })),
        )
        .execute();
    }
    const sent = { group_id: groupId, sender_device_id: device.id, created_at: now };
    // A commit nobody else is to apply (the group's creator adding the first devices) is not
    // stored: with no mailbox entry, nothing would ever acknowledge and delete it.
    if (recipients.length > 0) await deliver(tx, { ...sent, kind: 'commit', payload: input.commit }, recipients);
    if (input.welcome !== undefined) await deliver(tx, { ...sent, kind: 'welcome', payload: input.welcome }, input.added);
    woken.push(...recipients, ...input.added);
    return { epoch: header.epoch + 1 };
  });
  await wake(deps, woken);
  return accepted;
}

export async function sendMessage(deps: MessagingDeps, principal: Principal, groupId: string, message: string): Promise<MessagingSent> {
  const device = await currentDevice(deps, principal);
  const bytes = fromBase64Url(message);
  if (bytes.length > deps.config.maxMessageBytes)
    throw appError('MESSAGING_MESSAGE_TOO_LARGE', { detail: 'over messaging.maxMessageBytes' });
  const header = await messageHeader(bytes);
  if (header?.wireformat !== 'mls_private_message' || header.contentType !== 'application') throw invalid('not an application message');
  if (header.groupId !== groupId) throw invalid('message for another group');
  const woken: string[] = [];
  const sent = await withTransaction(deps.db, async (tx) => {
    const group = await lockGroup(tx, deps.dialect, groupId, 'share');
    if (!group) throw notFound();
    const members = await activeMembers(tx, groupId);
    if (!members.some((member) => member.device_id === device.id)) throw notFound();
    if (group.epoch !== header.epoch) throw conflict(group.epoch);
    const recipients = members.map((member) => member.device_id).filter((id) => id !== device.id);
    await lockDevices(tx, deps.dialect, recipients);
    const seq = await deliver(
      tx,
      { group_id: groupId, sender_device_id: device.id, kind: 'application', payload: message, created_at: deps.clock.now() },
      recipients,
    );
    woken.push(...recipients);
    return { seq };
  });
  await wake(deps, woken);
  return sent;
}
