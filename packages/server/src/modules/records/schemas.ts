/**
 * @module modules/records/schemas
 *
 * The request and response schemas of the records routes, built once at start-up from the
 * declared record types: each field's value schema (limits, `required`) and classification
 * (`x-classification`) come from its declaration, so validation refuses anything undeclared
 * with a pointer to the field (`/body/fields/dateOfBirth`), the serializer drops anything the
 * schema does not name, and the OpenAPI document describes the deployment's own fields.
 */
import Type, { type TSchema, type TUnsafe } from 'typebox';
import {
  CLASSIFICATIONS,
  PREVIEW_AUDIENCES,
  declaredFieldsSchema,
  type NewRecordEntry,
  type OwnProfile,
  type Profile,
  type ProfilePreview,
  type ProfileUpdate,
  type RecordEntry,
  type RecordEntryList,
  type RecordTypeDeclaration,
} from '@portcullis/protocol';
import type { RecordCatalogue } from './catalogue.ts';
import { sharingChoices } from './visibility.ts';

const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID).' });
const TimeSchema = Type.String({ format: 'date-time' });

/** Each schema typed as the general wire shape in @portcullis/protocol it narrows. */
export interface RecordSchemas {
  readonly newEntry: TUnsafe<NewRecordEntry>;
  readonly entry: TUnsafe<RecordEntry>;
  readonly entryList: TUnsafe<RecordEntryList>;
  readonly profile: TUnsafe<Profile>;
  readonly ownProfile: TUnsafe<OwnProfile>;
  readonly profileUpdate: TUnsafe<ProfileUpdate>;
  readonly preview: TUnsafe<ProfilePreview>;
}

/**
 * `{ type, fields }` where `fields` follows the declaration of `type`. With one entry type the
 * pair is a plain object; with several, `if type is X then fields follow X` for each, which
 * keeps validation pointers at the field (a `oneOf` would report every branch).
 */
function entryBodySchema(types: ReadonlyMap<string, RecordTypeDeclaration>, options: { readonly allOptional: boolean }): TSchema {
  const names = [...types.keys()];
  const [only] = names;
  if (names.length === 1 && only !== undefined) {
    const declaration = types.get(only) as RecordTypeDeclaration;
    return Type.Object(
      { type: Type.Literal(only, { description: 'The declared entry type.' }), fields: declaredFieldsSchema(declaration, options) },
      { additionalProperties: false },
    );
  }
  return Type.Object(
    {
      type: Type.Enum(names, { description: 'A declared entry type.' }),
      fields: Type.Object({}, { description: 'The fields of the type.' }),
    },
    {
      additionalProperties: false,
      allOf: [...types].map(([name, declaration]) => ({
        if: { properties: { type: { const: name } } },
        then: { properties: { fields: declaredFieldsSchema(declaration, options) } },
      })),
    },
  );
}

function entrySchema(types: ReadonlyMap<string, RecordTypeDeclaration>): TSchema {
  const body = entryBodySchema(types, { allOptional: true }) as TSchema & { properties: Record<string, TSchema> };
  const { type, fields } = body.properties;
  return Type.Object(
    {
      id: IdSchema,
      patientAccountId: IdSchema,
      authorAccountId: IdSchema,
      type: type as TSchema,
      fields: fields as TSchema,
      createdAt: TimeSchema,
    },
    {
      additionalProperties: false,
      ...('allOf' in body ? { allOf: body.allOf } : {}),
    },
  );
}

function profileFields(profile: RecordTypeDeclaration, allOptional: boolean): TSchema {
  return declaredFieldsSchema(profile, { allOptional, description: 'The profile fields.' });
}

/** Per field, the audiences the person may choose: the declared classification or narrower. */
function sharingUpdateSchema(profile: RecordTypeDeclaration): TSchema {
  return Type.Object(
    Object.fromEntries(
      Object.entries(profile.fields).map(([name, field]) => [
        name,
        Type.Optional(Type.Enum(sharingChoices(field.classification), { description: `Who may see \`${name}\`.` })),
      ]),
    ),
    { additionalProperties: false, description: 'Who may see each field; a field left out keeps its current choice.' },
  );
}

export function buildRecordSchemas(catalogue: RecordCatalogue): RecordSchemas {
  const entry = entrySchema(catalogue.entryTypes);
  const profile = Type.Object({ accountId: IdSchema, fields: profileFields(catalogue.profile, true) }, { additionalProperties: false });
  return {
    newEntry: Type.Unsafe<NewRecordEntry>(entryBodySchema(catalogue.entryTypes, { allOptional: false })),
    entry: Type.Unsafe<RecordEntry>(entry),
    entryList: Type.Unsafe<RecordEntryList>(Type.Object({ entries: Type.Array(entry) }, { additionalProperties: false })),
    profile: Type.Unsafe<Profile>(profile),
    ownProfile: Type.Unsafe<OwnProfile>(
      Type.Object(
        {
          accountId: IdSchema,
          fields: profileFields(catalogue.profile, true),
          sharing: Type.Object(
            Object.fromEntries(Object.keys(catalogue.profile.fields).map((name) => [name, Type.Optional(Type.Enum(CLASSIFICATIONS))])),
            { additionalProperties: false, description: 'Who may see each field now.' },
          ),
          updatedAt: Type.Union([TimeSchema, Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    profileUpdate: Type.Unsafe<ProfileUpdate>(
      Type.Object(
        { fields: profileFields(catalogue.profile, false), sharing: Type.Optional(sharingUpdateSchema(catalogue.profile)) },
        { additionalProperties: false },
      ),
    ),
    preview: Type.Unsafe<ProfilePreview>(
      Type.Object(
        { as: Type.Enum(PREVIEW_AUDIENCES), profile, entries: Type.Array(entry) },
        { additionalProperties: false, description: 'Exactly what the audience receives of the caller’s profile and patient file.' },
      ),
    ),
  };
}
