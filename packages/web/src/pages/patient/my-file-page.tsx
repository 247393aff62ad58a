/**
 * @module pages/patient/my-file-page
 *
 * My file: the entries of the patient's own file, newest first, every field with the label that
 * says who can see it, and the legend of those labels.
 */
import type { JSX } from 'preact';
import { listMyRecordEntries } from '@portcullis/sdk/records';
import { client } from '../../client.ts';
import { Link } from '../../router.tsx';
import { EntryList } from '../../ui/care-entries.tsx';
import { useLoaded } from '../../ui/load.ts';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { VisibilityLegend } from '../../ui/visibility.tsx';

export function MyFilePage(): JSX.Element {
  const entries = useLoaded(() => listMyRecordEntries(client).then((list) => list.entries));
  return (
    <Page
      title="My file"
      lead={
        <>
          Your health record, written by the clinicians you gave access. Each field shows who can see it.{' '}
          <Link href="/sharing">Who can see my file</Link>
        </>
      }
    >
      <Section title="Who can see each field">
        <VisibilityLegend />
      </Section>
      <Section title="Entries">
        {entries.error ? <Notice kind="error">{entries.error}</Notice> : null}
        {entries.value ? (
          <EntryList entries={entries.value} empty="Your file has no entries yet." />
        ) : entries.error ? null : (
          <Loading what="your file" />
        )}
      </Section>
    </Page>
  );
}
