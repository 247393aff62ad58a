/**
 * @module pages/admin/accounts-page
 *
 * The admin console's accounts: search (email addresses masked; in full only through the
 * step-up route), then one account's details, help actions and roles. Role changes need a
 * passkey step-up, and the admin role waits for a second admin's approval.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AdminAccountList } from '@portcullis/sdk';
import { listAccounts, listAccountsUnmasked, type AccountListQuery } from '@portcullis/sdk/admin';
import { client } from '../../client.ts';
import { ActionButton, Field, Form } from '../../ui/form.tsx';
import { Notice, Page, Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';
import { SelectField, timeText, type Choice } from '../../ui/staff-controls.tsx';
import { VisibilityLabel } from '../../ui/visibility.tsx';
import { AccountPanel } from './account-panel.tsx';

const ROLE_CHOICES: readonly Choice[] = [
  { value: '', label: 'Any role' },
  ...['patient', 'clinician', 'support', 'admin', 'auditor'].map((role) => ({ value: role, label: role })),
];

const STATUS_CHOICES: readonly Choice[] = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'locked', label: 'Locked' },
];

interface Results {
  readonly list: AdminAccountList;
  readonly query: AccountListQuery;
  readonly unmasked: boolean;
}

export function AdminAccountsPage(): JSX.Element {
  const stepUp = useStepUp();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('');
  const [status, setStatus] = useState('');
  const [results, setResults] = useState<Results | undefined>();
  const [open, setOpen] = useState<string | undefined>();

  const query = (): AccountListQuery => ({
    email: email.trim() || undefined,
    role: role || undefined,
    status: status === 'active' || status === 'locked' ? status : undefined,
    limit: 20,
  });
  const search = async (wanted: AccountListQuery, unmasked: boolean) => {
    const list = unmasked ? await listAccountsUnmasked(client, wanted, stepUp) : await listAccounts(client, wanted);
    setResults({ list, query: wanted, unmasked });
    setOpen(undefined);
  };
  // The list shows status and roles: read it again (masked, no step-up) after a change, keeping the open account.
  const refresh = () => {
    if (!results) return;
    const wanted = { ...results.query, after: undefined };
    void listAccounts(client, wanted).then(
      (list) => setResults({ list, query: wanted, unmasked: false }),
      () => undefined,
    );
  };

  return (
    <Page
      title="Accounts"
      lead="Find an account, then lock or unlock it, sign it out everywhere, reset its second factors or change its roles."
    >
      <Section title="Find accounts">
        <Form
          submit="Search"
          label="Find accounts"
          action={() => search(query(), false)}
          secondary={<ActionButton label="Search with full email addresses" action={() => search(query(), true)} />}
        >
          <Field
            label="Email address"
            name="email"
            type="search"
            value={email}
            onInput={setEmail}
            hint="The whole address. Leave it empty to list every account."
          />
          <SelectField label="Role" name="role" value={role} choices={ROLE_CHOICES} onChange={setRole} />
          <SelectField label="Status" name="status" value={status} choices={STATUS_CHOICES} onChange={setStatus} />
        </Form>
        <p class="hint">Email addresses are masked. Full addresses need you to confirm it is you, and the look is recorded.</p>
      </Section>
      {results ? (
        <Section title="Accounts found">
          <ResultsTable results={results} open={open} onOpen={setOpen} />
          {results.list.nextAfter ? (
            <ActionButton
              label="Next accounts"
              action={() => search({ ...results.query, after: results.list.nextAfter ?? undefined }, results.unmasked)}
            />
          ) : null}
        </Section>
      ) : null}
      {open ? <AccountPanel key={open} accountId={open} helper="admin" onChanged={refresh} /> : null}
    </Page>
  );
}

function ResultsTable(props: { results: Results; open: string | undefined; onOpen: (id: string) => void }): JSX.Element {
  const { accounts } = props.results.list;
  if (accounts.length === 0) return <Notice kind="info">No account matches. Check the email address, or clear the filters.</Notice>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">Accounts found, newest first</caption>
        <thead>
          <tr>
            <th scope="col">
              Email address <VisibilityLabel classification="private" />
            </th>
            <th scope="col">Roles</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((account) => (
            <tr key={account.id}>
              <th scope="row">{account.email}</th>
              <td>{account.roles.join(', ') || 'No role'}</td>
              <td>{account.status === 'locked' ? 'Locked' : 'Active'}</td>
              <td>{timeText(account.createdAt)}</td>
              <td>
                <button type="button" class="button" aria-pressed={props.open === account.id} onClick={() => props.onOpen(account.id)}>
                  Open<span class="visually-hidden"> {account.email}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
