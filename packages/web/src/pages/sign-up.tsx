/**
 * @module pages/sign-up
 *
 * Creating an account and confirming its email address. The server answers a sign-up the same
 * way whether or not the address is already taken (no account enumeration), so the page always
 * moves on to "enter the code we sent".
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { client } from '../client.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { Field, Form } from '../ui/form.tsx';
import { Page } from '../ui/page.tsx';

export function SignUpPage(): JSX.Element {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <Page title="Create an account" lead="Patients sign up here. Clinic staff are invited by an administrator.">
      <div class="card">
        <Form
          submit="Create account"
          label="Create an account"
          action={async () => {
            await client.signUp({ email: email.trim(), password });
            navigate(`/confirm-email?email=${encodeURIComponent(email.trim())}`);
          }}
        >
          <Field label="Email" name="email" type="email" value={email} onInput={setEmail} autoComplete="email" required />
          <Field
            label="Password"
            name="password"
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="new-password"
            hint="At least 12 characters. A phrase of several words is easy to remember and hard to guess."
            required
          />
        </Form>
        <p>
          Already have an account? <Link href="/sign-in">Sign in</Link>.
        </p>
      </div>
    </Page>
  );
}

export function ConfirmEmailPage(): JSX.Element {
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [code, setCode] = useState('');
  return (
    <Page title="Confirm your email" lead="We sent a code to your email address. Enter it here to finish creating your account.">
      <div class="card">
        <Form
          submit="Confirm"
          label="Confirm your email"
          action={async () => {
            await client.verifyEmail({ email: email.trim(), code: code.trim() });
            navigate('/sign-in?confirmed=1');
          }}
        >
          <Field label="Email" name="email" type="email" value={email} onInput={setEmail} autoComplete="email" required />
          <Field
            label="Code from the email"
            name="code"
            value={code}
            onInput={setCode}
            autoComplete="one-time-code"
            inputMode="numeric"
            required
          />
        </Form>
      </div>
    </Page>
  );
}
