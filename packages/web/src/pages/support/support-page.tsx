/**
 * @module pages/support/support-page
 *
 * Account help: support finds an account by its email address or id and sees masked details
 * only — never medical data or messages, which this view does not even ask for (it calls the
 * admin API alone; the records and messaging APIs refuse support anyway). The help actions are
 * those support's permissions allow: lock, unlock, sign out everywhere. Support may also ask
 * for a temporary role.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { listAccounts } from '@portcullis/sdk/admin';
import { client } from '../../client.ts';
import { Field, Form } from '../../ui/form.tsx';
import { Notice, Page, Section } from '../../ui/page.tsx';
import { AccountPanel } from '../admin/account-panel.tsx';
import { ElevationRequestSection } from './elevation-request.tsx';

const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function SupportPage(): JSX.Element {
  const [lookup, setLookup] = useState('');
  const [found, setFound] = useState<string | null | undefined>();
  return (
    <Page title="Account help" lead="Find an account and help its owner. You see masked details only: no medical data, no messages.">
      <Section title="Find an account">
        <Form
          submit="Find account"
          label="Find an account"
          action={async () => {
            setFound(undefined);
            const wanted = lookup.trim();
            if (ACCOUNT_ID.test(wanted)) {
              setFound(wanted.toLowerCase());
              return;
            }
            const { accounts } = await listAccounts(client, { email: wanted, limit: 1 });
            setFound(accounts[0]?.id ?? null);
          }}
        >
          <Field
            label="Email address or account id"
            name="lookup"
            type="search"
            value={lookup}
            onInput={setLookup}
            hint="The whole email address the person signed up with, or the account id from a ticket."
            required
          />
        </Form>
        {found === null ? (
          <Notice kind="info">No account has that email address. Check the spelling, or ask for the account id.</Notice>
        ) : null}
      </Section>
      {found ? <AccountPanel key={found} accountId={found} helper="support" /> : null}
      <ElevationRequestSection />
    </Page>
  );
}
