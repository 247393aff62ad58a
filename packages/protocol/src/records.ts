/**
 * @module records
 *
 * Wire schemas of the patient file (the clinic's worked example of a record): entries a patient
 * reads in their own file and clinicians read and add in the files of patients who granted them
 * access, and the revocable grants themselves. Identifiers are UUIDs; entry bodies are personal
 * data (sealed at rest on the server, never logged).
 */
import Type, { type Static } from 'typebox';

const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID).' });

export const RecordEntryKindSchema = Type.Union([Type.Literal('note'), Type.Literal('observation'), Type.Literal('prescription')], {
  description: 'What the entry is.',
});

export const RecordEntrySchema = Type.Object(
  {
    id: IdSchema,
    patientAccountId: IdSchema,
    authorAccountId: IdSchema,
    kind: RecordEntryKindSchema,
    body: Type.String({ description: 'The entry text (personal data).' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type RecordEntry = Static<typeof RecordEntrySchema>;

export const RecordEntryListSchema = Type.Object({ entries: Type.Array(RecordEntrySchema) }, { additionalProperties: false });
export type RecordEntryList = Static<typeof RecordEntryListSchema>;

export const NewRecordEntrySchema = Type.Object(
  {
    kind: RecordEntryKindSchema,
    body: Type.String({ minLength: 1, maxLength: 20_000, description: 'The entry text.' }),
  },
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

export const NewRecordGrantSchema = Type.Object(
  { granteeAccountId: IdSchema, scope: RecordGrantScopeSchema },
  { additionalProperties: false },
);
export type NewRecordGrant = Static<typeof NewRecordGrantSchema>;

export const RecordEntryParamsSchema = Type.Object({ entryId: IdSchema }, { additionalProperties: false });
export const RecordGrantParamsSchema = Type.Object({ grantId: IdSchema }, { additionalProperties: false });
export const PatientParamsSchema = Type.Object({ patientId: IdSchema }, { additionalProperties: false });
export const PatientEntryParamsSchema = Type.Object({ patientId: IdSchema, entryId: IdSchema }, { additionalProperties: false });
