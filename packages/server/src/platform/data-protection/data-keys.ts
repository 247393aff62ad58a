/**
 * @module platform/data-protection/data-keys
 *
 * The `data_keys` table: one wrapped 256-bit key per subject and version. The wrap context names
 * the subject and the version, so a wrapped key copied onto another subject's row does not
 * unwrap. Keys are created on first use with an insert that loses gracefully to a concurrent one.
 */

/** Subject id of the key the blind indexes are derived from (a service key, not a person's). */
export const BLIND_INDEX_SUBJECT = '~blind-index';

/** Additional authenticated data of a data key's wrap: subject and version, never changed. */
export function dataKeyContext(subjectId: string, version: number): string {
  return `portcullis data-key v1\u0000${subjectId}\u0000${version}`;
}
