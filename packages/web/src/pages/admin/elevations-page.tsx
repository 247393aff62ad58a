/**
 * @module pages/admin/elevations-page
 *
 * Requests for temporary roles and role grants that wait for a second person: approve (with a
 * passkey step-up) or deny; and the temporary roles in force, each of which may be ended early.
 * Nobody approves their own request; the server refuses it and the page says who must.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { approveElevation, listActiveElevations, listPendingElevations, revokeElevation } from '@portcullis/sdk/elevation';
import { client } from '../../client.ts';
import { ActionButton } from '../../ui/form.tsx';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';
import { useLoaded } from '../../ui/load.ts';
import { ElevationSummary } from './elevation-summary.tsx';

export function AdminElevationsPage(): JSX.Element {
  const stepUp = useStepUp();
  const [round, setRound] = useState(0);
  const loaded = useLoaded(() => listPendingElevations(client), round);
  const reloadPending = (): void => void loaded.reload();
  const [done, setDone] = useState<string | undefined>();
  // An approval puts the elevation in force: both lists are read again.
  const reload = () => {
    reloadPending();
    setRound((n) => n + 1);
  };
  return (
    <Page title="Elevations" lead="Requests for temporary roles, and role grants, that wait for a second person.">
      {done ? <Notice kind="success">{done}</Notice> : null}
      <Section title="Waiting for approval">
        {loaded.value === undefined && loaded.error === undefined ? <Loading what="the requests" /> : null}
        {loaded.error !== undefined ? <Notice kind="error">{loaded.error}</Notice> : null}
        {loaded.value !== undefined && loaded.value.elevations.length === 0 ? <p class="muted">No request is waiting.</p> : null}
        {loaded.value !== undefined && loaded.value.elevations.length > 0 ? (
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
      <InForceSection onEnded={setDone} round={round} />
    </Page>
  );
}

function InForceSection(props: { round: number; onEnded: (words: string) => void }): JSX.Element {
  const loaded = useLoaded(() => listActiveElevations(client), props.round);
  const reload = (): void => void loaded.reload();
  return (
    <Section title="Temporary roles in force">
      {loaded.value === undefined && loaded.error === undefined ? <Loading what="the temporary roles in force" /> : null}
      {loaded.error !== undefined ? <Notice kind="error">{loaded.error}</Notice> : null}
      {loaded.value !== undefined && loaded.value.elevations.length === 0 ? <p class="muted">Nobody holds a temporary role now.</p> : null}
      {loaded.value !== undefined && loaded.value.elevations.length > 0 ? (
        <ul class="list" aria-label="Temporary roles in force">
          {loaded.value.elevations.map((elevation) => (
            <li key={elevation.id}>
              <div>
                <ElevationSummary elevation={elevation} />
                <p class="muted">
                  Held by account <code>{elevation.accountId}</code>
                </p>
              </div>
              <ActionButton
                label="End now"
                kind="danger"
                action={async () => {
                  const ended = await revokeElevation(client, elevation.id);
                  props.onEnded(`Ended: role ${ended.role} of account ${ended.accountId}.`);
                  reload();
                }}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
