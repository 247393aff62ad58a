/**
 * @module pages/sign-in-second-step
 *
 * The second step of a sign-in the server answered with `MFA_REQUIRED`: an authenticator-app
 * code, a recovery code, or a code by email for a new device, as the challenge allows. Shared
 * by the password sign-in and the return from a provider sign-in.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AuthChallenge } from '@portcullis/sdk';
import { client } from '../client.ts';
import { useSession } from '../session.tsx';
import { Field, Form } from '../ui/form.tsx';
import { Page } from '../ui/page.tsx';

/**
 * The second step of a password or provider sign-in, with the methods the challenge allows.
 * `afterSignIn` runs once the session is loaded (a view at a path of its own moves on from it).
 */
export function SecondStep(props: { challenge: AuthChallenge; onRestart: () => void; afterSignIn?: () => void }): JSX.Element {
  const { reload } = useSession();
  const { challenge } = props;
  const emailed = challenge.methods.includes('email_code');
  const [method, setMethod] = useState<'totp' | 'recovery_code' | 'email_code'>(
    challenge.methods.includes('totp') ? 'totp' : emailed ? 'email_code' : 'recovery_code',
  );
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  useEffect(() => {
    if (method !== 'email_code' || sent) return;
    void client.sendSignInCode({ challenge: challenge.token, channel: 'email' }).then(() => setSent(true));
  }, [method, sent, challenge.token]);

  const title = challenge.reason === 'new_device' || challenge.reason === 'attack_mode' ? 'Confirm this device' : 'Second step';
  const lead =
    method === 'email_code'
      ? 'We sent a code to your email address. Enter it to confirm it is you signing in on this device.'
      : method === 'totp'
        ? 'Enter the 6-digit code your authenticator app shows for this account.'
        : 'Enter one of the recovery codes you saved. Each works once.';
  return (
    <Page title={title} lead={lead}>
      <div class="card">
        <Form
          submit="Continue"
          label={title}
          action={async () => {
            await client.completeSignIn({ challenge: challenge.token, method, code: code.trim() });
            await reload();
            props.afterSignIn?.();
          }}
          secondary={
            <button type="button" class="button plain" onClick={props.onRestart}>
              Start again
            </button>
          }
        >
          <Field
            label={method === 'recovery_code' ? 'Recovery code' : 'Code'}
            name="code"
            value={code}
            onInput={setCode}
            autoComplete="one-time-code"
            inputMode={method === 'recovery_code' ? 'text' : 'numeric'}
            required
          />
        </Form>
        {method !== 'recovery_code' && challenge.methods.includes('recovery_code') ? (
          <button type="button" class="button plain" onClick={() => setMethod('recovery_code')}>
            Use a recovery code instead
          </button>
        ) : null}
      </div>
    </Page>
  );
}
