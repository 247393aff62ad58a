/**
 * @module modules/records/view
 *
 * `viewOf`: the one way declared fields leave the server. Every response that carries field
 * values — an entry, a profile, a preview, the export — is built here from the stored fields,
 * the declaration that applies and the viewer's relation to the person: a field whose
 * classification the relation does not receive is skipped before anything is decrypted, so it
 * is neither sent nor even opened. Stored fields the declaration no longer names are dropped.
 */
import type { RecordFields, RecordTypeDeclaration } from '@portcullis/protocol';
import { classificationsVisibleTo, type Relation } from './visibility.ts';
import { openField, type FieldHome, type StoredFields } from './stored-fields.ts';

/**
 * @param declaration The record type, with the classifications that apply to this record (a
 *   profile's fields carry the person's sharing choices, see profiles.ts).
 * @example
 * const fields = await viewOf(catalogue.entryType(row.type), parseStoredFields(row.fields), 'care_team', home);
 */
export async function viewOf(
  declaration: RecordTypeDeclaration,
  stored: StoredFields,
  relation: Relation,
  home: FieldHome,
): Promise<RecordFields> {
  const visible = classificationsVisibleTo(relation);
  const shown = Object.entries(declaration.fields).filter(
    ([name, field]) => visible.has(field.classification) && Object.hasOwn(stored, name),
  );
  const values = await Promise.all(shown.map(([name]) => openField(home, name, stored[name] as StoredFields[string])));
  const view: RecordFields = {};
  shown.forEach(([name], index) => {
    view[name] = values[index] as RecordFields[string];
  });
  return view;
}
