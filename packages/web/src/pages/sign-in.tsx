/**
 * @module pages/sign-in
 *
 * Sign-in, passkey first: the browser offers the person's passkeys in the email field's
 * autofill (conditional mediation) and through a button; a password is the fallback. A
 * password sign-in that the server answers with `MFA_REQUIRED` continues on the same page with
 * the second step the challenge allows (authenticator app, recovery code, or a code by email
 * for a new device). Providers the server offers a web sign-in with (Apple, Google, …) get a
 * button each between the two.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  browserPasskeyAuthenticator,
  cancelPasskeyCeremony,
  isMfaRequired,
  passkeyAutofillAvailable,
  type AuthChallenge,
  type PasskeyAuthenticator,
} from '@portcullis/sdk';
import { client, thisDevice } from '../client.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Field, Form } from '../ui/form.tsx';
import { Notice, Page } from '../ui/page.tsx';
import { problemWords } from '../ui/problem.ts';
import { FederationButtons } from './federation-sign-in.tsx';
import { SecondStep } from './sign-in-second-step.tsx';

export function SignInPage(): JSX.Element {
  const { reload } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<AuthChallenge | undefined>();
  const [passkeyError, setPasskeyError] = useState<string | undefined>();

  // Passkeys in autofill: waits in the background until the person picks one. Leaving the page
  // cancels it, so it cannot finish later behind another flow (enrolment, a password sign-in).
  useEffect(() => {
    const page = { left: false };
    const autofill = browserPasskeyAuthenticator({ conditional: true });
    const untilLeft: PasskeyAuthenticator = {
      create: (options) => autofill.create(options),
      get: (options) => (page.left ? Promise.reject(new DOMException('The sign-in page was left', 'AbortError')) : autofill.get(options)),
    };
    void (async () => {
      if (!(await passkeyAutofillAvailable())) return;
      try {
        await client.signInWithPasskey(untilLeft, thisDevice);
        if (!page.left) await reload();
      } catch {
        // Cancelled by a button ceremony or by leaving the page: nothing to report.
      }
    })();
    return () => {
      page.left = true;
      cancelPasskeyCeremony();
    };
  }, [reload]);

  if (challenge) return <SecondStep challenge={challenge} onRestart={() => setChallenge(undefined)} />;

  return (
    <Page title="Sign in" lead="Welcome to the clinic. Use your passkey if you have one: it cannot be phished or guessed.">
      <div class="card">
        <button
          type="button"
          class="button primary wide"
          onClick={() => {
            setPasskeyError(undefined);
            client
              .signInWithPasskey(browserPasskeyAuthenticator(), thisDevice)
              .then(reload)
              .catch((failure: unknown) => {
                setPasskeyError(problemWords(failure));
              });
          }}
        >
          Sign in with a passkey
        </button>
        {passkeyError ? <Notice kind="error">{passkeyError}</Notice> : null}
      </div>
      <FederationButtons />
      <div class="card">
        <h2>Or use your password</h2>
        <Form
          submit="Sign in"
          label="Sign in with email and password"
          action={async () => {
            try {
              await client.signIn({ email: email.trim(), password, device: thisDevice });
              await reload();
            } catch (failure) {
              if (isMfaRequired(failure)) {
                setChallenge(failure.challenge);
                return;
              }
              throw failure;
            }
          }}
        >
          <Field label="Email" name="email" type="email" value={email} onInput={setEmail} autoComplete="username webauthn" required />
          <Field
            label="Password"
            name="password"
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            required
          />
        </Form>
        <p>
          New here? <Link href="/sign-up">Create an account</Link>. Have a code? <Link href="/confirm-email">Confirm your email</Link>.
        </p>
      </div>
    </Page>
  );
}
