/**
 * @module pages/privacy/delete-section
 *
 * "Delete my account": says plainly what goes and what stays, asks the person to type their
 * email address (a deliberate act, not one click), confirms it is them (step-up), erases, and
 * signs out. The receipt id is shown once: it is the only proof they get.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { eraseMyAccount } from '@portcullis/sdk';
import type { ErasureReceipt } from '@portcullis/protocol';
import { client } from '../../client.ts';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { Field, Form } from '../../ui/form.tsx';
import { Notice, Section } from '../../ui/page.tsx';
import { InputProblem } from '../../ui/problem.ts';
import { useStepUp } from '../../ui/step-up.tsx';

export function DeleteSection(props: { email: string; onErased: (receipt: ErasureReceipt) => void }): JSX.Element {
  const prompt = useStepUp();
  const [typed, setTyped] = useState('');
  return (
    <Section title="Delete my account">
      <p>Deleting your account cannot be undone. When you delete it:</p>
      <ul>
        <li>your profile, your file, the access you gave, your passkeys, authenticator apps, recovery codes and sessions are deleted;</li>
        <li>the keys that protect your data are destroyed, so nothing kept for you can be read again, by anyone;</li>
        <li>you are signed out on every device;</li>
        <li>the audit log keeps a record that the account existed and was deleted, without your details.</li>
      </ul>
      <p>Export your data first if you want a copy.</p>
      <Form
        submit="Delete my account"
        label="Delete my account"
        action={async () => {
          if (typed.trim().toLowerCase() !== props.email.toLowerCase()) {
            throw new InputProblem('Type your email address exactly as shown to confirm.');
          }
          props.onErased(await eraseMyAccount(client, prompt));
        }}
      >
        <Field
          label="Type your email address to confirm"
          name="confirm-email"
          type="email"
          value={typed}
          onInput={setTyped}
          hint={`Your email address is ${props.email}.`}
          autoComplete="off"
        />
      </Form>
    </Section>
  );
}

/** After the erasure: the receipt, then back to signing in (the SDK already forgot the session). */
export function Erased(props: { receipt: ErasureReceipt }): JSX.Element {
  const { reload } = useSession();
  return (
    <Section title="Your account is deleted">
      <Notice kind="success">Your account and your data are deleted. You are signed out.</Notice>
      <p>
        Receipt number: <span class="mono">{props.receipt.receiptId}</span>. Keep it if you may need to prove the deletion; it is shown only
        now.
      </p>
      <button
        type="button"
        class="button primary"
        onClick={() => {
          void reload().then(() => navigate('/sign-in'));
        }}
      >
        Done
      </button>
    </Section>
  );
}
