/**
 * @module privacy
 *
 * Wire schemas of a person's rights of erasure and access (GDPR articles 17, 15 and 20).
 *
 * Erasure destroys the person's data keys (crypto-shredding) and deletes what identifies them;
 * it answers with a receipt that says how much of each kind of data went. A person erases their
 * own account; an administrator asks for someone's erasure with a reason and a second
 * administrator approves it. The export is one JSON document with everything held about the
 * person, described by the published `AccountExportSchema` (`docs/schemas/account-export.schema.json`).
 */
import Type, { type Static } from 'typebox';
import { AuditEntrySchema } from './audit.ts';
import { LinkedIdentitySchema } from './federation.ts';
import { MfaFactorSchema } from './mfa.ts';
import { PasskeySchema } from './passkeys.ts';
import { ClassificationSchema } from './classification.ts';
import { RecordEntrySchema, RecordFieldsSchema } from './records.ts';

const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID).' });
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

/** What one erasure removed, by kind of data. */
export const ErasedCountsSchema = Type.Object(
  {
    sessions: Count,
    knownDevices: Count,
    passkeys: Count,
    totpFactors: Count,
    phoneFactors: Count,
    recoveryCodes: Count,
    externalIdentities: Count,
    profile: Count,
    recordEntries: Count,
    grants: Count,
    elevations: Count,
    pendingChallenges: Count,
  },
  { additionalProperties: false, description: 'Rows deleted per kind of data.' },
);
export type ErasedCounts = Static<typeof ErasedCountsSchema>;

export const ErasureReceiptSchema = Type.Object(
  {
    receiptId: IdSchema,
    accountId: IdSchema,
    erasedAt: Time,
    requestedBy: IdSchema,
    approvedBy: IdSchema,
    erased: ErasedCountsSchema,
    dataKeysDestroyed: Type.Integer({
      minimum: 0,
      description: 'Data keys destroyed: nothing sealed for the person can be decrypted again, by anyone.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'What an erasure did. The account id stays as a tombstone (so audit entries keep pointing somewhere); the audit log records the erasure with this receipt id.',
  },
);
export type ErasureReceipt = Static<typeof ErasureReceiptSchema>;

export const ErasureRequestSchema = Type.Object(
  {
    reason: Type.String({
      minLength: 3,
      maxLength: 500,
      description:
        'Why the account is to be erased (a ticket reference, not personal data); kept with the request, never copied to the audit log.',
    }),
  },
  { additionalProperties: false },
);
export type ErasureRequest = Static<typeof ErasureRequestSchema>;

export const ErasureSchema = Type.Object(
  {
    id: IdSchema,
    accountId: IdSchema,
    status: Type.Union([Type.Literal('pending'), Type.Literal('erased')]),
    reason: Type.Union([Type.String(), Type.Null()], {
      description: 'The requesting administrator’s reason; null for a person’s own erasure.',
    }),
    requestedBy: IdSchema,
    requestedAt: Time,
    approvedBy: Type.Union([IdSchema, Type.Null()]),
    erasedAt: NullableTime,
  },
  {
    additionalProperties: false,
    description: 'An erasure asked for by an administrator; it runs when a second administrator approves it.',
  },
);
export type Erasure = Static<typeof ErasureSchema>;

export const ErasureListSchema = Type.Object({ erasures: Type.Array(ErasureSchema) }, { additionalProperties: false });
export type ErasureList = Static<typeof ErasureListSchema>;

export const ErasureIdParamsSchema = Type.Object({ erasureId: IdSchema }, { additionalProperties: false });

/** `$schema` of an export document: where the schema is published. */
export const ACCOUNT_EXPORT_SCHEMA_ID = 'https://portcullis.dev/schemas/account-export.schema.json';
/** Bumped when the document changes in a way an older reader would misread. */
export const ACCOUNT_EXPORT_SCHEMA_VERSION = 1;

const ExportSessionSchema = Type.Object(
  {
    id: Type.String(),
    device: Type.Object(
      { label: Type.String(), platform: Type.String(), appVersion: Type.Union([Type.String(), Type.Null()]) },
      { additionalProperties: false },
    ),
    aal: Type.String(),
    amr: Type.Array(Type.String()),
    location: Type.String({ description: 'Coarse network location (IPv4 /24 or IPv6 /48).' }),
    createdAt: Time,
    lastUsedAt: Time,
    expiresAt: Time,
    revokedAt: NullableTime,
  },
  { additionalProperties: false, description: 'A session: metadata only, never a token.' },
);

const ExportKnownDeviceSchema = Type.Object(
  {
    keyThumbprint: Type.String({ description: 'RFC 7638 thumbprint of the device’s DPoP public key (not a secret).' }),
    firstSeenAt: Time,
    lastSeenAt: Time,
    networks: Type.Array(Type.String(), { description: 'Coarse network prefixes it signed in from, newest first.' }),
  },
  { additionalProperties: false },
);

const ExportGrantSchema = Type.Object(
  {
    id: IdSchema,
    patientAccountId: IdSchema,
    granteeAccountId: IdSchema,
    scope: Type.Union([Type.Literal('read'), Type.Literal('write')]),
    createdAt: Time,
    revokedAt: NullableTime,
  },
  { additionalProperties: false },
);

const ExportAuditEntrySchema = Type.Omit(AuditEntrySchema, ['canonical']);

export const AccountExportSchema = Type.Object(
  {
    $schema: Type.Literal(ACCOUNT_EXPORT_SCHEMA_ID),
    schemaVersion: Type.Literal(ACCOUNT_EXPORT_SCHEMA_VERSION),
    exportedAt: Time,
    account: Type.Object(
      {
        id: IdSchema,
        email: Type.String(),
        emailVerified: Type.Boolean(),
        roles: Type.Array(Type.String()),
        createdAt: Time,
        hasPassword: Type.Boolean({ description: 'Whether a password is set (the password and its hash are never exported).' }),
      },
      { additionalProperties: false },
    ),
    profile: Type.Union([
      Type.Object(
        { fields: RecordFieldsSchema, sharing: Type.Record(Type.String(), ClassificationSchema), updatedAt: Time },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    recordEntries: Type.Array(RecordEntrySchema, { description: 'The entries of the person’s patient file, as the person sees them.' }),
    grantsGiven: Type.Array(ExportGrantSchema, { description: 'Access to their file they gave, revoked ones included.' }),
    grantsReceived: Type.Array(ExportGrantSchema, { description: 'Access to others’ files they received, revoked ones included.' }),
    sessions: Type.Array(ExportSessionSchema),
    knownDevices: Type.Array(ExportKnownDeviceSchema),
    factors: Type.Array(MfaFactorSchema, { description: 'Second factors: metadata only, never a seed or a code.' }),
    passkeys: Type.Array(PasskeySchema, { description: 'Passkeys: metadata only (public keys are not personal data and are left out).' }),
    linkedIdentities: Type.Array(LinkedIdentitySchema),
    auditEntries: Type.Array(ExportAuditEntrySchema, { description: 'Audit entries naming the person as actor or subject, oldest first.' }),
  },
  {
    $id: ACCOUNT_EXPORT_SCHEMA_ID,
    title: 'Portcullis account export',
    additionalProperties: false,
    description: 'Everything the server holds about one person (right of access and portability). Secrets are never part of it.',
  },
);
export type AccountExport = Static<typeof AccountExportSchema>;
