/**
 * @module declarations
 *
 * Declared record types: the shape of the deployment's `records.types` configuration and the
 * JSON schema of one declared field's value. A record type (the person's `profile`, the
 * `file-entry` of a patient file, …) is a named set of fields; each field has a value type with
 * limits, a `required` flag and a classification (classification.ts). The server builds its
 * request and response schemas from these declarations at start-up, so the OpenAPI document
 * describes exactly the deployment's fields, each marked with `x-classification`.
 */
import Type, { type TSchema } from 'typebox';
import { CLASSIFICATION_KEYWORD, type Classification } from './classification.ts';

/** The value types a field may have. */
export const FIELD_TYPES = ['text', 'date', 'number', 'enum', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** `one`: at most one record of the type per person (the profile); `many`: a list (entries of the patient file). */
export const CARDINALITIES = ['one', 'many'] as const;
export type Cardinality = (typeof CARDINALITIES)[number];

/** A record type name: lower case, digits and `-` (`file-entry`). */
export const RECORD_TYPE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,31}$';
/** A field name: camelCase letters and digits (`dateOfBirth`), so it is a plain JSON-pointer segment. */
export const FIELD_NAME_PATTERN = '^[a-z][A-Za-z0-9]{0,31}$';

/** The record type every person has at most one of. */
export const PROFILE_TYPE = 'profile';

/**
 * One declared field. Which limits apply depends on `type`: `text` takes `minLength`,
 * `maxLength` (required) and `pattern`; `number` takes `minimum`, `maximum` and `integer`;
 * `enum` takes `values` (required); `date` (ISO `yyyy-mm-dd`, a real calendar date) and
 * `boolean` take none.
 */
export interface FieldDeclaration {
  readonly type: FieldType;
  readonly classification: Classification;
  readonly required?: boolean;
  readonly description?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly integer?: boolean;
  readonly values?: readonly string[];
}

export interface RecordTypeDeclaration {
  readonly cardinality: Cardinality;
  readonly description: string;
  readonly fields: Readonly<Record<string, FieldDeclaration>>;
}

export type RecordDeclarations = Readonly<Record<string, RecordTypeDeclaration>>;

/** A declared field's value on the wire. */
export type FieldValue = string | number | boolean;

function describe(field: FieldDeclaration): Record<string, unknown> {
  return {
    ...(field.description === undefined ? {} : { description: field.description }),
    [CLASSIFICATION_KEYWORD]: field.classification,
  };
}

/**
 * The JSON schema of a value of `field`, carrying its classification.
 *
 * @example
 * fieldValueSchema({ type: 'text', maxLength: 80, classification: 'public' });
 * // { type: 'string', maxLength: 80, 'x-classification': 'public' }
 */
export function fieldValueSchema(field: FieldDeclaration): TSchema {
  const annotations = describe(field);
  switch (field.type) {
    case 'text':
      return Type.String({
        ...(field.minLength === undefined ? {} : { minLength: field.minLength }),
        ...(field.maxLength === undefined ? {} : { maxLength: field.maxLength }),
        ...(field.pattern === undefined ? {} : { pattern: field.pattern }),
        ...annotations,
      });
    case 'date':
      return Type.String({ format: 'date', ...annotations });
    case 'number': {
      const limits = {
        ...(field.minimum === undefined ? {} : { minimum: field.minimum }),
        ...(field.maximum === undefined ? {} : { maximum: field.maximum }),
        ...annotations,
      };
      return field.integer === true ? Type.Integer(limits) : Type.Number(limits);
    }
    case 'enum':
      return Type.Enum([...(field.values ?? [])], annotations);
    case 'boolean':
      return Type.Boolean(annotations);
  }
}

/**
 * The schema of a record's `fields` object: only declared fields, each with its value schema.
 * `allOptional` drops the `required` flags (responses, where the viewer may not see every field).
 */
export function declaredFieldsSchema(
  declaration: RecordTypeDeclaration,
  options: { readonly allOptional: boolean; readonly description?: string },
): TSchema {
  const properties = Object.fromEntries(
    Object.entries(declaration.fields).map(([name, field]) => {
      const value = fieldValueSchema(field);
      return [name, options.allOptional || field.required !== true ? Type.Optional(value) : value];
    }),
  );
  return Type.Object(properties, {
    additionalProperties: false,
    description: options.description ?? declaration.description,
  });
}
