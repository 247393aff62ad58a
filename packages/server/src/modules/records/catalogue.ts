/**
 * @module modules/records/catalogue
 *
 * The deployment's declared record types (`records.types`, checked at start-up by
 * config/record-declarations.ts), split into the one `profile` type and the entry types of the
 * patient file.
 */
import { PROFILE_TYPE, type RecordDeclarations, type RecordTypeDeclaration } from '@portcullis/protocol';

export interface RecordCatalogue {
  readonly profile: RecordTypeDeclaration;
  /** Entry types of the patient file, by name, in declaration order. */
  readonly entryTypes: ReadonlyMap<string, RecordTypeDeclaration>;
  /** The declaration of entry type `name`; a name the request schema let through always has one. */
  entryType(name: string): RecordTypeDeclaration;
}

export function createRecordCatalogue(types: RecordDeclarations): RecordCatalogue {
  const profile = Object.hasOwn(types, PROFILE_TYPE) ? types[PROFILE_TYPE] : undefined;
  if (!profile) throw new TypeError('records.types has no profile type; the configuration check should have refused it');
  const entryTypes = new Map(Object.entries(types).filter(([name]) => name !== PROFILE_TYPE));
  return {
    profile,
    entryTypes,
    entryType(name) {
      const declaration = entryTypes.get(name);
      if (!declaration) throw new TypeError(`records: "${name}" is not a declared entry type`);
      return declaration;
    },
  };
}
