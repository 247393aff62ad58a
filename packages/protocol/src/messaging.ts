/**
 * @module messaging
 *
 * Wire schemas of the delivery and authentication service for end-to-end encrypted messaging
 * (MLS, RFC 9420, cipher suite `MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519`). A messaging
 * device is one signed-in session of an account; its MLS credential is a BasicCredential whose
 * identity is the UTF-8 text `<accountId>:<deviceId>`. Every MLS object crosses the wire as
 * base64url (no padding) of its `MLSMessage` encoding; the server reads only the framing
 * (group id, epoch, content type) and the KeyPackage's credential, never a message's content.
 */
import Type, { type Static } from 'typebox';

const Base64UrlSchema = (description: string, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength, description });

const AccountIdSchema = Type.String({ format: 'uuid', description: 'Account identifier (UUID).' });

export const MESSAGING_DEVICE_ID_PATTERN = '^dev_[A-Za-z0-9_-]{22}$';
export const MessagingDeviceIdSchema = Type.String({
  pattern: MESSAGING_DEVICE_ID_PATTERN,
  description: 'Messaging device identifier (`dev_` and 22 base64url characters), chosen by the server.',
});

/** 16 to 64 bytes, base64url without padding. */
export const MessagingGroupIdSchema = Type.String({
  pattern: '^[A-Za-z0-9_-]{22,86}$',
  description: 'MLS group id: 16 to 64 random bytes chosen by the creating client, base64url without padding.',
});

export const SignatureKeySchema = Type.String({
  pattern: '^[A-Za-z0-9_-]{43}$',
  description: 'The device’s Ed25519 public signature key (32 bytes), base64url without padding.',
});

export const KeyLogReferenceSchema = Type.Object(
  { index: Type.Integer({ minimum: 0, description: 'Index of the entry in the key transparency log.' }) },
  { additionalProperties: false },
);

export const NewMessagingDeviceSchema = Type.Object({ signatureKey: SignatureKeySchema }, { additionalProperties: false });
export type NewMessagingDevice = Static<typeof NewMessagingDeviceSchema>;

export const MessagingDeviceRegisteredSchema = Type.Object(
  {
    deviceId: MessagingDeviceIdSchema,
    accountId: AccountIdSchema,
    identity: Type.String({ description: 'The MLS BasicCredential identity to use: `<accountId>:<deviceId>` (UTF-8).' }),
    keyLog: KeyLogReferenceSchema,
  },
  { additionalProperties: false },
);
export type MessagingDeviceRegistered = Static<typeof MessagingDeviceRegisteredSchema>;

export const MessagingDeviceSchema = Type.Object(
  {
    deviceId: MessagingDeviceIdSchema,
    signatureKey: SignatureKeySchema,
    keyLogIndex: Type.Integer({ minimum: 0, description: 'Index of the device’s `add` entry in the key transparency log.' }),
  },
  { additionalProperties: false },
);
export type MessagingDevice = Static<typeof MessagingDeviceSchema>;

export const MessagingDeviceListSchema = Type.Object({ devices: Type.Array(MessagingDeviceSchema) }, { additionalProperties: false });
export type MessagingDeviceList = Static<typeof MessagingDeviceListSchema>;

export const MessagingAccountParamsSchema = Type.Object({ accountId: AccountIdSchema }, { additionalProperties: false });

/** A KeyPackage is about 325 bytes; 4096 characters leave room for extensions. */
const KeyPackageSchema = Base64UrlSchema('An MLSMessage of wire format `mls_key_package`, base64url.', 4096);

export const KeyPackageUploadSchema = Type.Object(
  {
    keyPackages: Type.Array(KeyPackageSchema, { maxItems: 100, description: 'One-time KeyPackages (each handed out at most once).' }),
    lastResort: Type.Optional(
      Base64UrlSchema(
        'The last-resort KeyPackage (`mls_key_package`, base64url), handed out when no one-time one is left; replaces the previous one.',
        4096,
      ),
    ),
  },
  { additionalProperties: false },
);
export type KeyPackageUpload = Static<typeof KeyPackageUploadSchema>;

export const KeyPackageCountSchema = Type.Object(
  {
    oneTime: Type.Integer({ minimum: 0, description: 'One-time KeyPackages not yet handed out.' }),
    lastResort: Type.Integer({ minimum: 0, maximum: 1, description: '1 when a last-resort KeyPackage is stored.' }),
  },
  { additionalProperties: false },
);
export type KeyPackageCount = Static<typeof KeyPackageCountSchema>;

export const KeyPackageClaimRequestSchema = Type.Object(
  {
    accountId: AccountIdSchema,
    deviceIds: Type.Optional(
      Type.Array(MessagingDeviceIdSchema, {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description:
          'Claim only for these devices of the account (those not yet in the conversation), so no one-time package is spent on the others.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type KeyPackageClaimRequest = Static<typeof KeyPackageClaimRequestSchema>;

export const ClaimedKeyPackageSchema = Type.Object(
  {
    deviceId: MessagingDeviceIdSchema,
    keyPackage: KeyPackageSchema,
    keyLogIndex: Type.Integer({ minimum: 0, description: 'Index of the device’s `add` entry in the key transparency log.' }),
  },
  { additionalProperties: false },
);
export const KeyPackageClaimSchema = Type.Object(
  {
    keyPackages: Type.Array(ClaimedKeyPackageSchema, {
      description: 'One KeyPackage per active device of the account that has any (the caller’s own device excluded).',
    }),
  },
  { additionalProperties: false },
);
export type KeyPackageClaim = Static<typeof KeyPackageClaimSchema>;

export const NewMessagingGroupSchema = Type.Object({ groupId: MessagingGroupIdSchema }, { additionalProperties: false });
export type NewMessagingGroup = Static<typeof NewMessagingGroupSchema>;

const EpochSchema = Type.Integer({ minimum: 0, description: 'The group’s current MLS epoch.' });

export const MessagingGroupSummarySchema = Type.Object(
  { groupId: MessagingGroupIdSchema, epoch: EpochSchema },
  { additionalProperties: false },
);
export type MessagingGroupSummary = Static<typeof MessagingGroupSummarySchema>;

export const MessagingGroupListSchema = Type.Object({ groups: Type.Array(MessagingGroupSummarySchema) }, { additionalProperties: false });
export type MessagingGroupList = Static<typeof MessagingGroupListSchema>;

export const MessagingGroupMemberSchema = Type.Object(
  { accountId: AccountIdSchema, deviceId: MessagingDeviceIdSchema },
  { additionalProperties: false },
);
export const MessagingGroupSchema = Type.Object(
  { groupId: MessagingGroupIdSchema, epoch: EpochSchema, members: Type.Array(MessagingGroupMemberSchema) },
  { additionalProperties: false },
);
export type MessagingGroup = Static<typeof MessagingGroupSchema>;

export const MessagingGroupParamsSchema = Type.Object({ groupId: MessagingGroupIdSchema }, { additionalProperties: false });

/** Limits of the message routes are the server's `messaging` settings; the schema only bounds the text. */
const MlsMessageSchema = (description: string) => Base64UrlSchema(description, 16_777_216);

export const MessagingCommitSchema = Type.Object(
  {
    commit: MlsMessageSchema('The Commit: an MLSMessage (`mls_private_message` or `mls_public_message`, content type commit), base64url.'),
    welcome: Type.Optional(MlsMessageSchema('The Welcome for the devices the commit adds (`mls_welcome`), base64url.')),
    added: Type.Array(MessagingDeviceIdSchema, { maxItems: 100, uniqueItems: true, description: 'Devices the commit adds.' }),
    removed: Type.Array(MessagingDeviceIdSchema, { maxItems: 100, uniqueItems: true, description: 'Devices the commit removes.' }),
  },
  { additionalProperties: false },
);
export type MessagingCommit = Static<typeof MessagingCommitSchema>;

export const MessagingEpochSchema = Type.Object({ epoch: EpochSchema }, { additionalProperties: false });
export type MessagingEpoch = Static<typeof MessagingEpochSchema>;

export const MessagingApplicationMessageSchema = Type.Object(
  { message: MlsMessageSchema('An application message: an MLSMessage of wire format `mls_private_message`, base64url.') },
  { additionalProperties: false },
);
export type MessagingApplicationMessage = Static<typeof MessagingApplicationMessageSchema>;

export const MessagingSentSchema = Type.Object(
  { seq: Type.Integer({ minimum: 1, description: 'Position of the message in the recipients’ mailboxes.' }) },
  { additionalProperties: false },
);
export type MessagingSent = Static<typeof MessagingSentSchema>;
