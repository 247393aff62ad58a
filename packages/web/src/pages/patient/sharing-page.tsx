/**
 * @module pages/patient/sharing-page
 *
 * Who can see my file: the clinicians the patient gave access (and whether they may add
 * entries), a form to give a clinician access by their email address, and "Remove access",
 * which ends it at once.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { RecordGrant } from '@portcullis/protocol';
import { grantRecordAccess, listRecordGrants, revokeRecordGrant } from '@portcullis/sdk/records';
import { client } from '../../client.ts';
import { when } from '../../ui/care-entries.tsx';
import { useLoaded } from '../../ui/load.ts';
import { usePersonName } from '../../ui/care-people.tsx';
import { ScopeChoice, SCOPE_WORDS } from '../../ui/care-scope.tsx';
import { Field, ActionButton, Form } from '../../ui/form.tsx';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { VisibilityLabel } from '../../ui/visibility.tsx';

export function SharingPage(): JSX.Element {
  const grants = useLoaded(() => listRecordGrants(client).then((list) => list.grants));
  return (
    <Page
      title="Who can see my file"
      lead="Only you and the clinicians listed here can see your file. You can remove access at any time; it ends at once."
    >
      <Section title="Clinicians with access">
        {grants.error ? <Notice kind="error">{grants.error}</Notice> : null}
        {grants.value ? (
          <GrantList grants={grants.value} onChange={grants.reload} />
        ) : grants.error ? null : (
          <Loading what="who can see your file" />
        )}
      </Section>
      <Section title="Give access">
        <GiveAccessForm onGiven={grants.reload} />
      </Section>
    </Page>
  );
}

function GrantList(props: { grants: readonly RecordGrant[]; onChange: () => Promise<void> }): JSX.Element {
  const [removed, setRemoved] = useState<string | undefined>();
  return (
    <>
      {removed ? <Notice kind="success">{removed}</Notice> : null}
      {props.grants.length === 0 ? (
        <p class="muted">Nobody else can see your file.</p>
      ) : (
        <ul class="list" aria-label="Clinicians with access">
          {props.grants.map((grant) => (
            <GrantItem
              key={grant.id}
              grant={grant}
              onRemoved={async (name) => {
                setRemoved(`Access removed. ${name} can no longer see your file.`);
                await props.onChange();
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function GrantItem(props: { grant: RecordGrant; onRemoved: (name: string) => Promise<void> }): JSX.Element {
  const { grant } = props;
  const name = usePersonName(grant.granteeAccountId, 'A clinician');
  return (
    <li>
      <div>
        <strong>{name}</strong> <VisibilityLabel classification="public" />
        <p class="muted">
          {SCOPE_WORDS[grant.scope]} · since <time dateTime={grant.createdAt}>{when(grant.createdAt)}</time>
        </p>
      </div>
      <ActionButton
        label="Remove access"
        kind="danger"
        describedBy={`grant-${grant.id}`}
        action={async () => {
          await revokeRecordGrant(client, grant.id);
          await props.onRemoved(name);
        }}
      />
      <span id={`grant-${grant.id}`} class="visually-hidden">
        for {name}
      </span>
    </li>
  );
}

function GiveAccessForm(props: { onGiven: () => Promise<void> }): JSX.Element {
  const [clinician, setClinician] = useState('');
  const [scope, setScope] = useState<RecordGrant['scope']>('read');
  return (
    <Form
      submit="Give access"
      label="Give a clinician access"
      action={async () => {
        await grantRecordAccess(client, { granteeEmail: clinician.trim(), scope });
        setClinician('');
        await props.onGiven();
        return 'Access given. The clinician can see your file now.';
      }}
    >
      <Field
        label="Clinician’s email address"
        name="clinician"
        type="email"
        autoComplete="off"
        value={clinician}
        onInput={setClinician}
        required
        hint="The address your clinician signs in with. Only clinicians of this clinic can be given access."
      />
      <ScopeChoice value={scope} onChange={setScope} />
    </Form>
  );
}
