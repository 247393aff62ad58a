/**
 * @module modules/records/stored-fields
 *
 * How declared field values are kept in a row's `fields` JSON column: a `public` value as it
 * is, every other value sealed for the person it is about (`{ "sealed": "…" }`), with
 * `dataProtection.seal` under that person's data key. The sealed value is bound to table,
 * column (`fields/<field>`), row and person, so it does not open anywhere else. A value never
 * an object on the wire, so the two forms cannot be confused.
 */
import type { Classification, FieldValue, RecordFields } from '@portcullis/protocol';
import type { DataDb, DataProtection } from '../../platform/data-protection/index.ts';

export type StoredValue = FieldValue | { readonly sealed: string };
export type StoredFields = Readonly<Record<string, StoredValue>>;

/** The JSON column holding the fields, in both tables. */
export const FIELDS_COLUMN = 'fields';

/** Where one record's fields live and whose they are. */
export interface FieldHome {
  readonly dataProtection: DataProtection;
  readonly db: DataDb;
  /** The person the record is about (the patient, the profile's owner). */
  readonly subjectId: string;
  readonly table: 'record_entries' | 'profiles';
  readonly rowId: string;
}

export function isSealed(value: StoredValue | undefined): value is { readonly sealed: string } {
  return typeof value === 'object' && typeof value.sealed === 'string';
}

function location(home: FieldHome, field: string) {
  return { table: home.table, column: `${FIELDS_COLUMN}/${field}`, rowId: home.rowId };
}

/**
 * Seals every value whose classification is not `public`; `classificationOf` names the one
 * that applies (the declaration's, or the person's sharing choice for a profile field).
 */
export async function sealFields(
  values: RecordFields,
  classificationOf: (field: string) => Classification,
  home: FieldHome,
): Promise<StoredFields> {
  const stored: Record<string, StoredValue> = {};
  for (const [field, value] of Object.entries(values)) {
    stored[field] =
      classificationOf(field) === 'public'
        ? value
        : { sealed: await home.dataProtection.seal(home.db, home.subjectId, JSON.stringify(value), location(home, field)) };
  }
  return stored;
}

/** Opens one stored value (a clear one is returned as it is). */
export async function openField(home: FieldHome, field: string, value: StoredValue): Promise<FieldValue> {
  if (!isSealed(value)) return value;
  return JSON.parse(await home.dataProtection.open(home.db, home.subjectId, value.sealed, location(home, field))) as FieldValue;
}

export function parseStoredFields(json: string): StoredFields {
  return JSON.parse(json) as StoredFields;
}
