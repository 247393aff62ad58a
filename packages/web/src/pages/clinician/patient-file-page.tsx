/**
 * @module pages/clinician/patient-file-page
 *
 * One patient's file, as the clinician the patient granted sees it: the entries with each
 * field's label, and — with a grant that allows it — a form to add an entry.
 */
import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { addPatientEntry, listGrantingPatients, listPatientEntries } from '@portcullis/sdk/records';
import { client } from '../../client.ts';
import { Link } from '../../router.tsx';
import { ENTRY_FIELD_CLASSIFICATION, ENTRY_KINDS, EntryList } from '../../ui/care-entries.tsx';
import { useLoaded } from '../../ui/load.ts';
import { usePersonName } from '../../ui/care-people.tsx';
import { SCOPE_WORDS } from '../../ui/care-scope.tsx';
import { Field, Form } from '../../ui/form.tsx';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { VisibilityLabel, VisibilityLegend } from '../../ui/visibility.tsx';

/** The field that holds an entry's text, by kind (the clinic's `file-entry` declaration). */
const TEXT_FIELD: Record<string, 'note' | 'diagnosis' | 'medication' | 'allergy'> = {
  note: 'note',
  observation: 'note',
  prescription: 'medication',
  diagnosis: 'diagnosis',
  allergy: 'allergy',
  medication: 'medication',
};

export function PatientFilePage(props: { params: Record<string, string> }): JSX.Element {
  const patientId = props.params['patientId'] ?? '';
  const name = usePersonName(patientId, 'Patient');
  const entries = useLoaded(() => listPatientEntries(client, patientId).then((list) => list.entries), patientId);
  const grant = useLoaded(
    () => listGrantingPatients(client).then((list) => list.grants.find((g) => g.patientAccountId === patientId)),
    patientId,
  );
  return (
    <Page
      title={`File of ${name}`}
      lead={
        <>
          {grant.value ? `${SCOPE_WORDS[grant.value.scope]}. ` : ''}
          <Link href="/patients">Back to my patients</Link>
        </>
      }
    >
      <Section title="Who can see each field">
        <VisibilityLegend />
      </Section>
      <Section title="Entries">
        {entries.error ? <Notice kind="error">{entries.error}</Notice> : null}
        {entries.value ? (
          <EntryList entries={entries.value} empty="This file has no entries yet." />
        ) : entries.error ? null : (
          <Loading what="the file" />
        )}
      </Section>
      {grant.value?.scope === 'write' ? (
        <Section title="Add an entry">
          <AddEntryForm patientId={patientId} onAdded={entries.reload} />
        </Section>
      ) : null}
    </Page>
  );
}

function AddEntryForm(props: { patientId: string; onAdded: () => Promise<void> }): JSX.Element {
  const kindId = useId();
  const [kind, setKind] = useState('note');
  const [text, setText] = useState('');
  const field = TEXT_FIELD[kind] ?? 'note';
  return (
    <Form
      submit="Add entry"
      label="Add an entry"
      action={async () => {
        await addPatientEntry(client, props.patientId, { type: 'file-entry', fields: { kind, [field]: text.trim() } });
        setText('');
        await props.onAdded();
        return 'Entry added to the file.';
      }}
    >
      <p>
        Everything you write here is health information: <VisibilityLabel classification={ENTRY_FIELD_CLASSIFICATION} />
      </p>
      <div class="field">
        <label for={kindId}>Kind of entry</label>
        <select id={kindId} name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
          {Object.entries(ENTRY_KINDS).map(([value, words]) => (
            <option key={value} value={value}>
              {words}
            </option>
          ))}
        </select>
      </div>
      <Field label="Text of the entry" name="text" value={text} onInput={setText} multiline required maxLength={10000} />
    </Form>
  );
}
