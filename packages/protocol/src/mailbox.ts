/**
 * @module mailbox
 *
 * Wire schemas of a messaging device's mailbox (what the delivery service holds for it until it
 * acknowledges), its event stream, and attachments: opaque blobs the client encrypted before
 * uploading, whose key travels only inside an MLS message.
 */
import Type, { type Static } from 'typebox';
import { MessagingGroupIdSchema } from './messaging.ts';

const SeqSchema = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });

/** Query values arrive as text: decimal digits only, no sign, no exponent. */
export const MailboxQuerySchema = Type.Object(
  {
    after: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,15}$',
        description: 'Return entries after this position (the last one processed); 0 or absent for all.',
      }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'At most this many entries, 1 to 500 (default 100).' }),
    ),
  },
  { additionalProperties: false },
);
export type MailboxQuery = Static<typeof MailboxQuerySchema>;

export const MailboxEntrySchema = Type.Object(
  {
    seq: SeqSchema('Position in the mailbox; strictly increasing.'),
    groupId: MessagingGroupIdSchema,
    kind: Type.Union([Type.Literal('welcome'), Type.Literal('commit'), Type.Literal('application')], {
      description: 'A Welcome into a group, a handshake message to apply, or an application message.',
    }),
    payload: Type.String({ pattern: '^[A-Za-z0-9_-]+$', description: 'The MLSMessage, base64url without padding.' }),
    sentAt: Type.String({ format: 'date-time', description: 'When the server accepted it.' }),
  },
  { additionalProperties: false },
);
export type MailboxEntry = Static<typeof MailboxEntrySchema>;

export const MailboxListSchema = Type.Object(
  { entries: Type.Array(MailboxEntrySchema, { description: 'Oldest first.' }) },
  { additionalProperties: false },
);
export type MailboxList = Static<typeof MailboxListSchema>;

export const MailboxAckSchema = Type.Object(
  { upTo: SeqSchema('Every entry up to and including this position was processed; the server deletes them.') },
  { additionalProperties: false },
);
export type MailboxAck = Static<typeof MailboxAckSchema>;

export const MailboxAckedSchema = Type.Object(
  { deleted: Type.Integer({ minimum: 0, description: 'Entries deleted by this acknowledgement.' }) },
  { additionalProperties: false },
);
export type MailboxAcked = Static<typeof MailboxAckedSchema>;

/**
 * One server-sent event of `GET /v1/messaging/events` (event name `mailbox`, id = `seq`): an
 * entry is waiting. It carries no payload: the client fetches the mailbox.
 */
export const MailboxEventSchema = Type.Object(
  {
    seq: SeqSchema('Position of the waiting entry.'),
    groupId: MessagingGroupIdSchema,
    kind: Type.Union([Type.Literal('welcome'), Type.Literal('commit'), Type.Literal('application')]),
  },
  { additionalProperties: false },
);
export type MailboxEvent = Static<typeof MailboxEventSchema>;

export const AttachmentParamsSchema = Type.Object(
  {
    groupId: MessagingGroupIdSchema,
    attachmentId: Type.String({ pattern: '^att_[A-Za-z0-9_-]{22}$', description: 'Attachment id (`att_` and 22 base64url characters).' }),
  },
  { additionalProperties: false },
);
export type AttachmentParams = Static<typeof AttachmentParamsSchema>;

export const AttachmentStoredSchema = Type.Object(
  {
    attachmentId: Type.String({ description: 'Id to put, with the key, in the MLS message that shares the attachment.' }),
    size: Type.Integer({ minimum: 1, description: 'Stored bytes.' }),
  },
  { additionalProperties: false },
);
export type AttachmentStored = Static<typeof AttachmentStoredSchema>;
