/**
 * @module pages/enrol
 *
 * A restricted session (the token response's `restriction`) can do one thing: staff without a
 * passkey register one on their first sign-in, people whose role needs a second factor enrol
 * one, and a password found in a breach is changed. Nothing else is reachable until then.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { browserPasskeyAuthenticator, type SessionInfo } from '@portcullis/sdk';
import { client, thisDevice } from '../client.ts';
import { useSession } from '../session.tsx';
import { Field, Form } from '../ui/form.tsx';
import { Page } from '../ui/page.tsx';

export function EnrolPage(props: { session: SessionInfo }): JSX.Element {
  const { reload } = useSession();
  const [name, setName] = useState(thisDevice.label);
  const reason = props.session.restriction?.reason;
  const signOut = (
    <button
      type="button"
      class="button plain"
      onClick={() => {
        void client.signOut().finally(reload);
      }}
    >
      Sign out
    </button>
  );
  if (reason === 'password_breached') return <ChangeBreachedPassword signOut={signOut} />;
  return (
    <Page
      title="Register a passkey"
      lead="Your role gives you access to other people’s data, so you sign in with a passkey: it is bound to this site and cannot be phished. Register one now to continue."
    >
      <div class="card">
        <Form
          submit="Register a passkey"
          label="Register a passkey"
          action={async () => {
            await client.registerPasskey(browserPasskeyAuthenticator(), name.trim() || thisDevice.label);
            // The restricted session has done its one job: end it, and sign in with the new passkey.
            await client.signOut();
            await client.signInWithPasskey(browserPasskeyAuthenticator(), thisDevice);
            await reload();
          }}
          secondary={signOut}
        >
          <Field
            label="Passkey name"
            name="passkey-name"
            value={name}
            onInput={setName}
            hint="So you can tell your passkeys apart later."
            maxLength={64}
          />
        </Form>
      </div>
    </Page>
  );
}

function ChangeBreachedPassword(props: { signOut: JSX.Element }): JSX.Element {
  const { reload } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  return (
    <Page
      title="Change your password"
      lead="Your password appears in a known data breach, so others may try it. Choose a new one to continue."
    >
      <div class="card">
        <Form
          submit="Change password"
          label="Change your password"
          action={async () => {
            await client.changePassword({ currentPassword: current, newPassword: next });
            await client.signOut();
            await reload();
          }}
          secondary={props.signOut}
        >
          <Field
            label="Current password"
            name="current-password"
            type="password"
            value={current}
            onInput={setCurrent}
            autoComplete="current-password"
          />
          <Field label="New password" name="new-password" type="password" value={next} onInput={setNext} autoComplete="new-password" />
        </Form>
      </div>
    </Page>
  );
}
