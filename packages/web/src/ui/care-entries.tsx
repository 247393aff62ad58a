/**
 * @module ui/care-entries
 *
 * The entries of a patient file, shown the same way to the patient and to their clinicians:
 * what the entry is, each field with its label and who can see it, who wrote it and when.
 * Values render as text, never as markup.
 */
import type { JSX } from 'preact';
import type { Classification, RecordEntry } from '@portcullis/protocol';
import { PersonName } from './care-people.tsx';
import { VisibilityLabel } from './visibility.tsx';

/** Field names of the clinic's `file-entry` type, in words. Undeclared names show as they are. */
const FIELD_WORDS: Record<string, string> = {
  kind: 'Kind',
  note: 'Note',
  diagnosis: 'Diagnosis',
  medication: 'Medication',
  allergy: 'Allergy',
};

/** The kinds of a `file-entry`, in words. */
export const ENTRY_KINDS: Record<string, string> = {
  note: 'Note',
  observation: 'Observation',
  prescription: 'Prescription',
  diagnosis: 'Diagnosis',
  allergy: 'Allergy',
  medication: 'Medication',
};

/**
 * Who can see an entry field. Entries of the patient file are health information (`phi`): the
 * clinic declares every `file-entry` field so, and the server sends a field only to those its
 * classification allows.
 */
export const ENTRY_FIELD_CLASSIFICATION: Classification = 'phi';

export function fieldWord(field: string): string {
  return FIELD_WORDS[field] ?? field;
}

function valueWords(field: string, value: string | number | boolean): string {
  if (field === 'kind' && typeof value === 'string') return ENTRY_KINDS[value] ?? value;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** When, in the reader's own words and time zone. */
export function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A list of entries, newest first, each with its fields labelled. */
export function EntryList(props: { entries: readonly RecordEntry[]; empty: string }): JSX.Element {
  if (props.entries.length === 0) return <p class="muted">{props.empty}</p>;
  const newestFirst = [...props.entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <ol class="list entries" aria-label="Entries, newest first">
      {newestFirst.map((entry) => (
        <li key={entry.id}>
          <article class="entry" aria-label={`${ENTRY_KINDS[String(entry.fields['kind'])] ?? 'Entry'} of ${when(entry.createdAt)}`}>
            <dl class="fields">
              {Object.entries(entry.fields).map(([field, value]) => (
                <div key={field}>
                  <dt>{fieldWord(field)}</dt>
                  <dd>{valueWords(field, value)}</dd>
                  <dd>
                    <VisibilityLabel classification={ENTRY_FIELD_CLASSIFICATION} />
                  </dd>
                </div>
              ))}
            </dl>
            <p class="muted entry-meta">
              Written by <PersonName accountId={entry.authorAccountId} /> on <time dateTime={entry.createdAt}>{when(entry.createdAt)}</time>
            </p>
          </article>
        </li>
      ))}
    </ol>
  );
}
