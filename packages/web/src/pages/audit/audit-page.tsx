/**
 * @module pages/audit/audit-page
 *
 * The auditor's view of the tamper-evident audit log: search it, open an entry, read the latest
 * signed checkpoint, and check an entry's inclusion proof here in the browser (the SDK's
 * verifyAuditInclusion: signature, signed root, leaf recomputed from the entry, RFC 9162 path).
 * Entries hold identifiers and short codes only, never personal data.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AuditEntry, AuditEntryList } from '@portcullis/sdk';
import { listAuditEntries, type AuditEntryFilter } from '@portcullis/sdk/audit';
import { client } from '../../client.ts';
import { ActionButton, Field, Form } from '../../ui/form.tsx';
import { Notice, Page, Section } from '../../ui/page.tsx';
import { DateTimeField, timeText } from '../../ui/staff-controls.tsx';
import { CheckpointSection } from './checkpoint-section.tsx';
import { EntrySection } from './entry-section.tsx';

const PAGE_SIZE = 25;

/** `datetime-local` gives local time without a zone; the API wants an instant. */
function instant(local: string): string | undefined {
  if (local === '') return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

interface Results {
  readonly filter: AuditEntryFilter;
  readonly entries: readonly AuditEntry[];
  readonly nextBefore: number | null;
}

export function AuditPage(): JSX.Element {
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
  const [subjectId, setSubjectId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [results, setResults] = useState<Results | undefined>();
  const [open, setOpen] = useState<AuditEntry | undefined>();

  const show = (filter: AuditEntryFilter, list: AuditEntryList, earlier: readonly AuditEntry[] = []) =>
    setResults({ filter, entries: [...earlier, ...list.entries], nextBefore: list.nextBefore });

  return (
    <Page
      title="Audit log"
      lead="Search the tamper-evident audit log, and check for yourself that an entry is in the log the server signed."
    >
      <Section title="Search the log">
        <Form
          submit="Search"
          label="Search the log"
          action={async () => {
            const filter: AuditEntryFilter = {
              action: action.trim() || undefined,
              actorId: actorId.trim() || undefined,
              subjectId: subjectId.trim() || undefined,
              from: instant(from),
              to: instant(to),
              limit: PAGE_SIZE,
            };
            show(filter, await listAuditEntries(client, filter));
            setOpen(undefined);
          }}
        >
          <Field label="Event" name="action" value={action} onInput={setAction} hint="For example session.created or account.locked." />
          <Field label="Actor id" name="actorId" value={actorId} onInput={setActorId} hint="The account or service that acted." />
          <Field
            label="Account concerned (id)"
            name="subjectId"
            value={subjectId}
            onInput={setSubjectId}
            hint="The account the event was about."
          />
          <DateTimeField label="From" name="from" value={from} onInput={setFrom} />
          <DateTimeField label="Until" name="to" value={to} onInput={setTo} />
        </Form>
      </Section>
      {results ? (
        <Section title="Entries found">
          <EntriesTable entries={results.entries} open={open} onOpen={setOpen} />
          {results.nextBefore !== null ? (
            <ActionButton
              label="Older entries"
              action={async () => {
                const filter = { ...results.filter, before: results.nextBefore ?? undefined };
                show(filter, await listAuditEntries(client, filter), results.entries);
              }}
            />
          ) : null}
        </Section>
      ) : null}
      {open ? <EntrySection key={open.index} entry={open} /> : null}
      <CheckpointSection />
    </Page>
  );
}

function EntriesTable(props: {
  entries: readonly AuditEntry[];
  open: AuditEntry | undefined;
  onOpen: (entry: AuditEntry) => void;
}): JSX.Element {
  if (props.entries.length === 0) return <Notice kind="info">No entry matches. Widen the time range or clear a filter.</Notice>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Outcome</th>
            <th scope="col">Actor</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry) => (
            <tr key={entry.index}>
              <th scope="row">{entry.index}</th>
              <td>{timeText(entry.time)}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>{entry.outcome === 'success' ? 'Success' : 'Failure'}</td>
              <td>
                <code>{entry.actor ?? '—'}</code>
              </td>
              <td>
                <button type="button" class="button" aria-pressed={props.open?.index === entry.index} onClick={() => props.onOpen(entry)}>
                  Open<span class="visually-hidden"> entry {entry.index}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
