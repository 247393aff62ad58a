/**
 * @module profiles
 *
 * Wire schemas of the person's profile: the one record of the declared `profile` type each
 * account may have. The person sees and edits all of it, and chooses per field who may see it
 * (`sharing`), never more widely than the field's declared classification allows; everyone
 * else receives only the fields their relation to the person allows. As for entries, the
 * server's OpenAPI document holds the deployment's exact field schemas.
 */
import Type, { type Static } from 'typebox';
import { ClassificationSchema } from './classification.ts';
import { RecordEntrySchema, RecordFieldsSchema } from './records.ts';

const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID).' });

export const ProfileSharingSchema = Type.Record(Type.String(), ClassificationSchema, {
  description:
    'Who may see each field, chosen by the person: the field’s declared classification or a narrower audience. A field not chosen yet is `private` — or its declared classification when `private` would show it to someone the declaration excludes.',
});
export type ProfileSharing = Static<typeof ProfileSharingSchema>;

/** Someone's profile as the caller may see it. */
export const ProfileSchema = Type.Object(
  { accountId: IdSchema, fields: RecordFieldsSchema },
  { additionalProperties: false, description: 'The fields of the profile the caller may see.' },
);
export type Profile = Static<typeof ProfileSchema>;

/** The caller's own profile: every field, and who may see each. */
export const OwnProfileSchema = Type.Object(
  {
    accountId: IdSchema,
    fields: RecordFieldsSchema,
    sharing: ProfileSharingSchema,
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'Last change; `null` before the first save.',
    }),
  },
  { additionalProperties: false },
);
export type OwnProfile = Static<typeof OwnProfileSchema>;

/**
 * Replaces the caller's profile: `fields` holds every value to keep (a field left out is
 * removed); `sharing` the audiences to change (a field left out keeps its current choice).
 */
export const ProfileUpdateSchema = Type.Object(
  { fields: RecordFieldsSchema, sharing: Type.Optional(ProfileSharingSchema) },
  { additionalProperties: false },
);
export type ProfileUpdate = Static<typeof ProfileUpdateSchema>;

export const ProfileParamsSchema = Type.Object({ accountId: IdSchema }, { additionalProperties: false });

/** Audiences the person can preview their data as. */
export const PREVIEW_AUDIENCES = ['public', 'care_team'] as const;
export type PreviewAudience = (typeof PREVIEW_AUDIENCES)[number];

export const ProfilePreviewQuerySchema = Type.Object(
  {
    as: Type.Enum(PREVIEW_AUDIENCES, {
      description: '`public`: what anyone signed in sees; `care_team`: what a clinician holding a grant to the file sees.',
    }),
  },
  { additionalProperties: false },
);
export type ProfilePreviewQuery = Static<typeof ProfilePreviewQuerySchema>;

export const ProfilePreviewSchema = Type.Object(
  {
    as: Type.Enum(PREVIEW_AUDIENCES),
    profile: ProfileSchema,
    entries: Type.Array(RecordEntrySchema, { description: 'The entries of the patient file that audience receives (none for `public`).' }),
  },
  { additionalProperties: false, description: 'Exactly what the audience receives of the caller’s profile and patient file.' },
);
export type ProfilePreview = Static<typeof ProfilePreviewSchema>;
