/**
 * @module modules/messaging/attachments
 *
 * Attachments are encrypted on the sending device (a fresh AES-256-GCM key per attachment) and
 * uploaded as opaque bytes; the key, the hash and the media type travel inside the MLS message
 * that shares the attachment, so the server stores ciphertext it cannot open and cannot tell a
 * photo from a PDF. An attachment belongs to one group: only its member devices may upload to it
 * or download from it, and anyone else gets the same 404 as for a group that does not exist.
 * Uploads are limited to `messaging.attachments.maxBytes`; attachments older than the mailbox
 * retention are deleted with the messages that referred to them.
 */
import { randomBytes } from 'node:crypto';
import type { AttachmentStored } from '@portcullis/protocol';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { MessagingDeps } from './deps.ts';
import { currentDevice } from './devices.ts';
import { activeMembers } from './repository.ts';

const DAY_MS = 86_400_000;

const notFound = () => appError('MESSAGING_GROUP_NOT_FOUND', { detail: 'no such group, attachment or not a member' });

/** The calling device, when it is an active member of the group; 404 otherwise. */
async function memberDevice(deps: MessagingDeps, principal: Principal, groupId: string) {
  const device = await currentDevice(deps, principal);
  const members = await activeMembers(deps.db, groupId);
  if (!members.some((member) => member.device_id === device.id)) throw notFound();
  return device;
}

export async function storeAttachment(
  deps: MessagingDeps,
  principal: Principal,
  groupId: string,
  content: Buffer,
): Promise<AttachmentStored> {
  if (content.length === 0) throw appError('MESSAGING_MESSAGE_INVALID', { detail: 'empty attachment' });
  if (content.length > deps.config.attachments.maxBytes)
    throw appError('MESSAGING_MESSAGE_TOO_LARGE', { detail: 'over messaging.attachments.maxBytes' });
  const device = await memberDevice(deps, principal, groupId);
  const id = `att_${randomBytes(16).toString('base64url')}`;
  await deps.db
    .insertInto('messaging_attachments')
    .values({ id, group_id: groupId, uploader_device_id: device.id, size: content.length, content, created_at: deps.clock.now() })
    .execute();
  return { attachmentId: id, size: content.length };
}

export async function loadAttachment(deps: MessagingDeps, principal: Principal, groupId: string, attachmentId: string): Promise<Buffer> {
  await memberDevice(deps, principal, groupId);
  const row = await deps.db
    .selectFrom('messaging_attachments')
    .select('content')
    .where('id', '=', attachmentId)
    .where('group_id', '=', groupId)
    .where('created_at', '>=', deps.clock.now() - deps.config.mailbox.retentionDays * DAY_MS)
    .executeTakeFirst();
  if (!row) throw notFound();
  return Buffer.from(row.content);
}
