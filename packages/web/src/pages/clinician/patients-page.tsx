/**
 * @module pages/clinician/patients-page
 *
 * My patients: the patients who gave the clinician access to their file, each a link to that
 * file, with what the grant allows.
 */
import type { JSX } from 'preact';
import { listGrantingPatients } from '@portcullis/sdk/records';
import { client } from '../../client.ts';
import { Link } from '../../router.tsx';
import { when } from '../../ui/care-entries.tsx';
import { useLoaded } from '../../ui/load.ts';
import { usePersonName } from '../../ui/care-people.tsx';
import { SCOPE_WORDS } from '../../ui/care-scope.tsx';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { VisibilityLabel } from '../../ui/visibility.tsx';
import type { RecordGrant } from '@portcullis/protocol';

export function PatientsPage(): JSX.Element {
  const grants = useLoaded(() => listGrantingPatients(client).then((list) => list.grants));
  return (
    <Page
      title="My patients"
      lead="Patients who gave you access to their file, with the email address you sign in with. A patient can remove your access at any time."
    >
      <Section title="Patients">
        {grants.error ? <Notice kind="error">{grants.error}</Notice> : null}
        {grants.value ? (
          grants.value.length === 0 ? (
            <p class="muted">No patient has given you access yet.</p>
          ) : (
            <ul class="list" aria-label="Patients">
              {grants.value.map((grant) => (
                <PatientItem key={grant.id} grant={grant} />
              ))}
            </ul>
          )
        ) : grants.error ? null : (
          <Loading what="your patients" />
        )}
      </Section>
    </Page>
  );
}

function PatientItem(props: { grant: RecordGrant }): JSX.Element {
  const { grant } = props;
  const name = usePersonName(grant.patientAccountId, 'A patient');
  return (
    <li>
      <div>
        {/* The name alone, so the link's target is the visible text (a hidden prefix would sit
            outside it and take the click point); the list is named "Patients". */}
        <Link href={`/patients/${grant.patientAccountId}`}>{name}</Link> <VisibilityLabel classification="public" />
        <p class="muted">
          {SCOPE_WORDS[grant.scope]} · since <time dateTime={grant.createdAt}>{when(grant.createdAt)}</time>
        </p>
      </div>
    </li>
  );
}
