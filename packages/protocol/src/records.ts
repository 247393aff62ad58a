/**
 * @module records
 *
 * Wire schemas of the patient file (the clinic's worked example of declared records): entries
 * a patient reads in their own file and clinicians read and add in the files of patients who
 * granted them access, and the revocable grants themselves. An entry is `{ type, fields }`: a
 * declared record type (`records.types`, e.g. `file-entry`) and the values of its declared
 * fields. The schemas here are the general shape; the server's OpenAPI document holds the
 * deployment's exact ones, built from its declarations (declarations.ts). Identifiers are
 * UUIDs; field values are personal data (sealed per person at rest, never logged).
 */
import Type, { type Static } from 'typebox';
import { EmailSchema } from './accounts.ts';
import { RECORD_TYPE_NAME_PATTERN } from './declarations.ts';

const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID).' });

export const FieldValueSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
  description: 'The value of a declared field.',
});

export const RecordFieldsSchema = Type.Record(Type.String(), FieldValueSchema, {
  description:
    'Values of the declared fields of the record type, by field name. A response holds only the fields the caller may see (their classification).',
});
export type RecordFields = Static<typeof RecordFieldsSchema>;

export const RecordTypeNameSchema = Type.String({
  pattern: RECORD_TYPE_NAME_PATTERN,
  description: 'A declared record type (`records.types`).',
});

export const RecordEntrySchema = Type.Object(
  {
    id: IdSchema,
    patientAccountId: IdSchema,
    authorAccountId: IdSchema,
    type: RecordTypeNameSchema,
    fields: RecordFieldsSchema,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type RecordEntry = Static<typeof RecordEntrySchema>;

export const RecordEntryListSchema = Type.Object({ entries: Type.Array(RecordEntrySchema) }, { additionalProperties: false });
export type RecordEntryList = Static<typeof RecordEntryListSchema>;

export const NewRecordEntrySchema = Type.Object(
  { type: RecordTypeNameSchema, fields: RecordFieldsSchema },
  { additionalProperties: false },
);
export type NewRecordEntry = Static<typeof NewRecordEntrySchema>;

export const RecordGrantScopeSchema = Type.Union([Type.Literal('read'), Type.Literal('write')], {
  description: '`read`: read the file; `write`: read it and add entries.',
});

export const RecordGrantSchema = Type.Object(
  {
    id: IdSchema,
    patientAccountId: IdSchema,
    granteeAccountId: IdSchema,
    scope: RecordGrantScopeSchema,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type RecordGrant = Static<typeof RecordGrantSchema>;

export const RecordGrantListSchema = Type.Object({ grants: Type.Array(RecordGrantSchema) }, { additionalProperties: false });
export type RecordGrantList = Static<typeof RecordGrantListSchema>;

export const NewRecordGrantSchema = Type.Union(
  [
    Type.Object({ granteeAccountId: IdSchema, scope: RecordGrantScopeSchema }, { additionalProperties: false }),
    Type.Object({ granteeEmail: EmailSchema, scope: RecordGrantScopeSchema }, { additionalProperties: false }),
  ],
  {
    description:
      'Who receives access, by account id or by email address. An address of no account and one of an account that cannot hold the grant get the same answer.',
  },
);
export type NewRecordGrant = Static<typeof NewRecordGrantSchema>;

export const RecordEntryParamsSchema = Type.Object({ entryId: IdSchema }, { additionalProperties: false });
export const RecordGrantParamsSchema = Type.Object({ grantId: IdSchema }, { additionalProperties: false });
export const PatientParamsSchema = Type.Object({ patientId: IdSchema }, { additionalProperties: false });
export const PatientEntryParamsSchema = Type.Object({ patientId: IdSchema, entryId: IdSchema }, { additionalProperties: false });
