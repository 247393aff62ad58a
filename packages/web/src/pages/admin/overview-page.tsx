/**
 * @module pages/admin/overview-page
 *
 * The security overview of the admin console: TLS, the key service, second-factor coverage per
 * role against what each role must reach, recent sign-in failures, and the alerts banner (attack
 * mode). Every fact is said in words, never by colour alone. Counts and settings only.
 */
import type { JSX } from 'preact';
import type { AdminAlertList, AdminOverview, RoleCoverage } from '@portcullis/sdk';
import { getAdminAlerts, getSecurityOverview } from '@portcullis/sdk/admin';
import { client } from '../../client.ts';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { timeText } from '../../ui/staff-controls.tsx';
import { useLoaded } from '../../ui/load.ts';

const TLS_MODE: Record<AdminOverview['tls']['mode'], string> = {
  'self-signed': 'Self-signed development certificate (not for production)',
  files: 'Certificate files on this server',
  upstream: 'Ended by a proxy in front of the server',
};

const LEVEL: Record<RoleCoverage['requiredLevel'], string> = {
  aal1: 'Password alone is allowed',
  aal2: 'Second factor required',
  aal2_phr: 'Passkey required',
};

const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`);

async function load(): Promise<{ overview: AdminOverview; alerts: AdminAlertList }> {
  const [overview, alerts] = await Promise.all([getSecurityOverview(client), getAdminAlerts(client)]);
  return { overview, alerts };
}

export function AdminOverviewPage(): JSX.Element {
  const loaded = useLoaded(load);
  const reload = (): void => void loaded.reload();
  return (
    <Page title="Security overview" lead="TLS, key service, second-factor coverage and sign-in failures at a glance.">
      {loaded.value === undefined && loaded.error === undefined ? <Loading what="the overview" /> : null}
      {loaded.error !== undefined ? <Notice kind="error">{loaded.error}</Notice> : null}
      {loaded.value !== undefined ? <Overview overview={loaded.value.overview} alerts={loaded.value.alerts} /> : null}
      <button type="button" class="button" onClick={reload}>
        Refresh the overview
      </button>
    </Page>
  );
}

function Overview(props: { overview: AdminOverview; alerts: AdminAlertList }): JSX.Element {
  const { tls, keyService, secondFactorCoverage, signInFailures } = props.overview;
  return (
    <>
      {props.alerts.alerts.map((alert) => (
        <Notice key={alert.since} kind="warning">
          <strong>Attack mode is on</strong> since {timeText(alert.since)}, until {timeText(alert.until)} at the latest. {alert.message}
        </Notice>
      ))}
      <Section title="Connection and keys">
        <dl class="fields">
          <div>
            <dt>TLS mode</dt>
            <dd>{TLS_MODE[tls.mode]}</dd>
          </div>
          <div>
            <dt>Lowest TLS version</dt>
            <dd>{tls.minVersion.replace('TLSv', 'TLS ')}</dd>
          </div>
          <div>
            <dt>Key service</dt>
            <dd>{keyService.adapter === 'pkcs11' ? 'Hardware security module (PKCS#11)' : 'Key file on this server'}</dd>
          </div>
          <div>
            <dt>Key service status</dt>
            <dd>
              {keyService.status === 'up'
                ? `Answering; current key version ${keyService.currentVersion ?? 'unknown'}`
                : 'Not answering: private data cannot be opened until it is back'}
            </dd>
          </div>
        </dl>
        {keyService.status === 'up' ? null : <Notice kind="error">The key service is not answering.</Notice>}
        {tls.mode === 'self-signed' ? <Notice kind="warning">TLS uses a development certificate.</Notice> : null}
      </Section>
      <Section title="Second-factor coverage">
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Second-factor coverage per role</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Rule</th>
                <th scope="col">Accounts</th>
                <th scope="col">With a second factor</th>
                <th scope="col">With a passkey</th>
              </tr>
            </thead>
            <tbody>
              {secondFactorCoverage.map((row) => (
                <tr key={row.role}>
                  <th scope="row">{row.role}</th>
                  <td>{LEVEL[row.requiredLevel]}</td>
                  <td>{row.accounts}</td>
                  <td>
                    {row.withSecondFactor} ({percent(row.withSecondFactor, row.accounts)})
                  </td>
                  <td>
                    {row.withPasskey} ({percent(row.withPasskey, row.accounts)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="hint">Accounts whose role requires a passkey but have none can only register one at their next sign-in.</p>
      </Section>
      <Section title="Recent sign-in failures">
        <dl class="fields">
          <div>
            <dt>Failed password sign-ins</dt>
            <dd>
              {signInFailures.failures} of {signInFailures.attempts} in the last {signInFailures.windowMinutes} minutes
            </dd>
          </div>
          <div>
            <dt>Usual failure rate</dt>
            <dd>{Math.round(signInFailures.usualRatio * 100)}% over the previous 24 hours</dd>
          </div>
          <div>
            <dt>Attack mode</dt>
            <dd>{signInFailures.attackMode ? 'On: password sign-ins need an emailed code' : 'Off'}</dd>
          </div>
        </dl>
      </Section>
    </>
  );
}
