/**
 * @module pages/admin/elevations-page
 *
 * Requests for temporary roles and role grants that wait for a second person: approve (with a
 * passkey step-up) or deny. Nobody approves their own request; the server refuses it and the
 * page says who must. A temporary role in force is ended from the account (Accounts page).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { approveElevation, listPendingElevations, revokeElevation } from '@portcullis/sdk/elevation';
import { client } from '../../client.ts';
import { Link } from '../../router.tsx';
import { ActionButton } from '../../ui/form.tsx';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';
import { useLoaded } from '../../ui/staff-controls.tsx';
import { ElevationSummary } from './elevation-summary.tsx';

export function AdminElevationsPage(): JSX.Element {
  const stepUp = useStepUp();
  const { loaded, reload } = useLoaded(() => listPendingElevations(client));
  const [done, setDone] = useState<string | undefined>();
  return (
    <Page title="Elevations" lead="Requests for temporary roles, and role grants, that wait for a second person.">
      <Section title="Waiting for approval">
        {done ? <Notice kind="success">{done}</Notice> : null}
        {loaded.state === 'loading' ? <Loading what="the requests" /> : null}
        {loaded.state === 'failed' ? <Notice kind="error">{loaded.error}</Notice> : null}
        {loaded.state === 'ready' && loaded.value.elevations.length === 0 ? <p class="muted">No request is waiting.</p> : null}
        {loaded.state === 'ready' && loaded.value.elevations.length > 0 ? (
          <ul class="list" aria-label="Requests waiting for approval">
            {loaded.value.elevations.map((elevation) => (
              <li key={elevation.id}>
                <div>
                  <ElevationSummary elevation={elevation} />
                  <p class="muted">
                    For account <code>{elevation.accountId}</code>
                    {elevation.requestedBy === elevation.accountId ? ' (asked by its owner)' : ''}
                  </p>
                </div>
                <div class="action-row">
                  <ActionButton
                    label="Approve"
                    kind="primary"
                    action={async () => {
                      const approved = await approveElevation(client, elevation.id, stepUp);
                      setDone(`Approved: role ${approved.role} for account ${approved.accountId}.`);
                      reload();
                    }}
                  />
                  <ActionButton
                    label="Deny"
                    kind="danger"
                    action={async () => {
                      const denied = await revokeElevation(client, elevation.id);
                      setDone(`Denied: role ${denied.role} for account ${denied.accountId}.`);
                      reload();
                    }}
                  />
                </div>
              </li>
            ))}
          </ul>
        ) : null}
        <button type="button" class="button plain" onClick={reload}>
          Refresh the list
        </button>
      </Section>
      <Section title="Temporary roles in force">
        <p>
          To end someone’s temporary role before it runs out, open their account on the <Link href="/admin/accounts">Accounts</Link> page:
          its open elevations each have an <strong>End now</strong> button.
        </p>
      </Section>
    </Page>
  );
}
