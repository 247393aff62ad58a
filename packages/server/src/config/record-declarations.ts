/**
 * @module config/record-declarations
 *
 * What the schema of `records.types` cannot say: names usable as JSON-pointer segments and log
 * keys, limits that fit their field type, a `profile` type with cardinality `one` and at least
 * one entry type. Every problem is reported at once, each naming the field's config path.
 */
import {
  FIELD_NAME_PATTERN,
  PROFILE_TYPE,
  RECORD_TYPE_NAME_PATTERN,
  type FieldDeclaration,
  type FieldType,
  type RecordDeclarations,
} from '@portcullis/protocol';

/** The limits each field type accepts; any other limit on a field is a mistake in the declaration. */
const LIMITS_OF: Readonly<Record<FieldType, readonly (keyof FieldDeclaration)[]>> = {
  text: ['minLength', 'maxLength', 'pattern'],
  date: [],
  number: ['minimum', 'maximum', 'integer'],
  enum: ['values'],
  boolean: [],
};
const ALL_LIMITS = [...new Set(Object.values(LIMITS_OF).flat())];

function fieldProblems(path: string, field: FieldDeclaration): string[] {
  const problems: string[] = [];
  for (const limit of ALL_LIMITS) {
    if (field[limit] !== undefined && !LIMITS_OF[field.type].includes(limit)) {
      problems.push(`${path}.${limit}: does not apply to a ${field.type} field`);
    }
  }
  if (field.type === 'text') {
    if (field.maxLength === undefined) problems.push(`${path}.maxLength: required for a text field`);
    if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
      problems.push(`${path}: minLength exceeds maxLength`);
    }
    if (field.pattern !== undefined) {
      try {
        new RegExp(field.pattern, 'u');
      } catch {
        problems.push(`${path}.pattern: not a valid regular expression`);
      }
    }
  }
  if (field.type === 'number' && field.minimum !== undefined && field.maximum !== undefined && field.minimum > field.maximum) {
    problems.push(`${path}: minimum exceeds maximum`);
  }
  if (field.type === 'enum' && (field.values === undefined || field.values.length === 0)) {
    problems.push(`${path}.values: an enum field needs at least one value`);
  }
  return problems;
}

/**
 * @example
 * checkRecordDeclarations({ note: { cardinality: 'many', description: 'x', fields: {} } });
 * // ['records.types: a "profile" type with cardinality "one" must be declared']
 */
export function checkRecordDeclarations(types: RecordDeclarations): string[] {
  const problems: string[] = [];
  const typeName = new RegExp(RECORD_TYPE_NAME_PATTERN);
  const fieldName = new RegExp(FIELD_NAME_PATTERN);
  for (const [name, declaration] of Object.entries(types)) {
    const path = `records.types.${name}`;
    if (!typeName.test(name)) problems.push(`${path}: a type name is lower case letters, digits and "-" (at most 32)`);
    if (name === PROFILE_TYPE && declaration.cardinality !== 'one') problems.push(`${path}.cardinality: the profile type must be "one"`);
    if (name !== PROFILE_TYPE && declaration.cardinality !== 'many') {
      problems.push(`${path}.cardinality: only the profile type is "one"; other types are patient-file entries ("many")`);
    }
    if (Object.keys(declaration.fields).length === 0) problems.push(`${path}.fields: declare at least one field`);
    for (const [field, fieldDeclaration] of Object.entries(declaration.fields)) {
      if (!fieldName.test(field) || field in Object.prototype) {
        problems.push(
          `${path}.fields.${field}: a field name is camelCase letters and digits (at most 32), not a name objects already have`,
        );
      }
      problems.push(...fieldProblems(`${path}.fields.${field}`, fieldDeclaration));
    }
  }
  if (!Object.hasOwn(types, PROFILE_TYPE)) problems.push('records.types: a "profile" type with cardinality "one" must be declared');
  if (!Object.entries(types).some(([name]) => name !== PROFILE_TYPE)) {
    problems.push('records.types: declare at least one patient-file entry type (cardinality "many")');
  }
  return problems;
}
