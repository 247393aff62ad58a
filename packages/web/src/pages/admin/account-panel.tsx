/**
 * @module pages/admin/account-panel
 *
 * One account as support and admins see it: masked details only (the address as the server
 * masked it, roles, status, signed-in devices, open elevations) and the help actions of the
 * viewer's role. Support may lock, unlock and sign out everywhere; an admin also resets second
 * factors (with a passkey step-up), ends or denies open elevations and changes roles. No medical data or
 * message is ever fetched here: the admin API returns none.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AdminAccountDetail } from '@portcullis/sdk';
import { getAccountDetail, lockAccount, resetAccountMfa, signOutAccount, unlockAccount } from '@portcullis/sdk/admin';
import { revokeElevation } from '@portcullis/sdk/elevation';
import { client } from '../../client.ts';
import { ActionButton } from '../../ui/form.tsx';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';
import { ConfirmAction, timeText } from '../../ui/staff-controls.tsx';
import { useLoaded } from '../../ui/load.ts';
import { VisibilityLabel } from '../../ui/visibility.tsx';
import { ElevationSummary } from './elevation-summary.tsx';
import { RolesSection } from './roles-section.tsx';

export type Helper = 'support' | 'admin';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export function AccountPanel(props: { accountId: string; helper: Helper; onChanged?: () => void }): JSX.Element {
  const loaded = useLoaded(() => getAccountDetail(client, props.accountId), props.accountId);
  const reload = (): void => void loaded.reload();
  if (loaded.error !== undefined) return <Notice kind="error">{loaded.error}</Notice>;
  if (loaded.value === undefined) return <Loading what="the account" />;
  return (
    <AccountView
      detail={loaded.value}
      helper={props.helper}
      changed={() => {
        reload();
        props.onChanged?.();
      }}
    />
  );
}

function AccountView(props: { detail: AdminAccountDetail; helper: Helper; changed: () => void }): JSX.Element {
  const { account, sessions, elevations } = props.detail;
  return (
    <>
      <Section title="Account details">
        <dl class="fields">
          <div>
            <dt>Email address</dt>
            <dd>
              {account.email} <span class="muted">{account.masked ? '(masked)' : '(in full)'}</span>
            </dd>
            <dd>
              <VisibilityLabel classification="private" />
            </dd>
          </div>
          <div>
            <dt>Email confirmed</dt>
            <dd>{account.emailVerified ? 'Yes' : 'No'}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>{account.status === 'locked' ? 'Locked: cannot sign in' : 'Active'}</dd>
          </div>
          <div>
            <dt>Roles</dt>
            <dd>{account.roles.length > 0 ? account.roles.join(', ') : 'No role'}</dd>
          </div>
          <div>
            <dt>Account id</dt>
            <dd>
              <code>{account.id}</code>
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{timeText(account.createdAt)}</dd>
          </div>
        </dl>
        <h3>Signed-in devices</h3>
        {sessions.length === 0 ? (
          <p class="muted">No device is signed in.</p>
        ) : (
          <ul class="list" aria-label="Signed-in devices">
            {sessions.map((session) => (
              <li key={session.id}>
                <span>
                  <strong>{session.device.label}</strong> ({session.device.platform})
                </span>
                <span class="muted">Last used {timeText(session.lastUsedAt)}</span>
              </li>
            ))}
          </ul>
        )}
        <h3>Open elevations</h3>
        {elevations.length === 0 ? (
          <p class="muted">No temporary role is asked for or in force.</p>
        ) : (
          <ul class="list" aria-label="Open elevations">
            {elevations.map((elevation) => (
              <li key={elevation.id}>
                <ElevationSummary elevation={elevation} />
                {props.helper === 'admin' ? (
                  <ActionButton
                    label={elevation.status === 'pending' ? 'Deny' : 'End now'}
                    action={async () => {
                      await revokeElevation(client, elevation.id);
                      props.changed();
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <HelpActions detail={props.detail} helper={props.helper} changed={props.changed} />
      {props.helper === 'admin' ? <RolesSection accountId={account.id} current={account.roles} onChanged={props.changed} /> : null}
    </>
  );
}

function HelpActions(props: { detail: AdminAccountDetail; helper: Helper; changed: () => void }): JSX.Element {
  const stepUp = useStepUp();
  const [done, setDone] = useState<string | undefined>();
  const { account } = props.detail;
  const finish = (text: string): void => {
    setDone(text);
    props.changed();
  };
  return (
    <Section title="Help actions">
      <p class="muted">Every action is recorded in the audit log with your name.</p>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <div class="action-row">
        {account.status === 'active' ? (
          <ConfirmAction
            label="Lock account"
            question="Lock this account? Its owner cannot sign in until it is unlocked, and every device is signed out now."
            confirm="Yes, lock the account"
            action={async () => {
              const result = await lockAccount(client, account.id);
              finish(`Account locked. ${plural(result.revokedSessions, 'device was', 'devices were')} signed out.`);
            }}
          />
        ) : (
          <ActionButton
            label="Unlock account"
            kind="primary"
            action={async () => {
              await unlockAccount(client, account.id);
              finish('Account unlocked. Its owner can sign in again.');
            }}
          />
        )}
        <ConfirmAction
          label="Sign out everywhere"
          question="Sign this account out on every device? Its owner can sign in again."
          confirm="Yes, sign out everywhere"
          action={async () => {
            const result = await signOutAccount(client, account.id);
            finish(`${plural(result.revokedSessions, 'device was', 'devices were')} signed out.`);
          }}
        />
        {props.helper === 'admin' ? (
          <ConfirmAction
            label="Reset second factors"
            question="Remove this account’s passkeys, authenticator app, recovery codes and phone numbers, and sign it out? Do it only once you are sure who is asking. We email the owner; they set up a new passkey at their next sign-in."
            confirm="Yes, reset second factors"
            action={async () => {
              const { removed, revokedSessions } = await resetAccountMfa(client, account.id, stepUp);
              finish(
                `Second factors removed: ${plural(removed.passkeys, 'passkey', 'passkeys')}, ${plural(removed.totp, 'authenticator app', 'authenticator apps')}, ${plural(removed.recoveryCodeSets, 'set of recovery codes', 'sets of recovery codes')}, ${plural(removed.phones, 'phone number', 'phone numbers')}. ${plural(revokedSessions, 'device was', 'devices were')} signed out.`,
              );
            }}
          />
        ) : null}
      </div>
    </Section>
  );
}
