/**
 * @module pages/security/authenticator-section
 *
 * Authenticator apps (TOTP): the ones set up, removing one (step-up), and setting one up — a QR
 * code to scan, the same secret as text to type in, then the app's first code to confirm. The
 * secret is shown only during set-up; the first app also brings the first recovery codes.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { MfaFactor, RecoveryCodes, TotpEnrolment } from '@portcullis/sdk';
import { client } from '../../client.ts';
import { CopyButton } from '../../ui/account-copy.tsx';
import { When } from '../../ui/account-when.tsx';
import { ActionButton, Field, Form } from '../../ui/form.tsx';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { useStepUp } from '../../ui/step-up.tsx';
import { QrCode } from './lazy-qr-code.tsx';
import { NewRecoveryCodes } from './recovery-codes.tsx';

/** The base32 secret in groups of four, easier to read and type; apps ignore the spaces. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

export function AuthenticatorSection(props: { onFactorsChanged: () => void }): JSX.Element {
  const prompt = useStepUp();
  const [apps, setApps] = useState<readonly MfaFactor[] | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [label, setLabel] = useState('');
  const [enrolment, setEnrolment] = useState<TotpEnrolment | undefined>();
  const [codes, setCodes] = useState<RecoveryCodes | undefined>();
  const load = useCallback(async () => {
    try {
      setApps((await client.listFactors()).factors.filter((factor) => factor.kind === 'totp'));
      setFailure(undefined);
    } catch (error) {
      setFailure(problemWords(error));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <Section title="Authenticator app">
      <p>An authenticator app on your phone shows a new 6-digit code every 30 seconds. It is a second step after your password.</p>
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      {apps === undefined ? (
        failure ? null : (
          <Loading what="your authenticator apps" />
        )
      ) : apps.length === 0 ? (
        <p>You have no authenticator app set up.</p>
      ) : (
        <ul class="list" aria-label="Your authenticator apps">
          {apps.map((app) => (
            <li key={app.id}>
              <div class="item-text">
                <strong id={`factor-${app.id}`}>{app.label}</strong>
                <p class="muted">
                  Added <When at={app.createdAt} /> · Last used <When at={app.lastUsedAt} />
                </p>
              </div>
              <ActionButton
                label="Remove"
                kind="danger"
                describedBy={`factor-${app.id}`}
                action={async () => {
                  await client.removeTotp(app.id, prompt);
                  await load();
                  props.onFactorsChanged();
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {codes ? (
        <NewRecoveryCodes codes={codes} onDone={() => setCodes(undefined)} />
      ) : enrolment ? (
        <div class="enrolment">
          <h3>Scan the code with your authenticator app</h3>
          <div class="qr-block">
            <QrCode text={enrolment.otpauthUri} label="QR code for your authenticator app" />
            <div class="qr-secret">
              <p>Cannot scan it? Type this key into the app instead:</p>
              <p class="secret mono">{grouped(enrolment.secret)}</p>
              <CopyButton label="Copy the key" text={enrolment.secret} />
              <p>
                <a href={enrolment.otpauthUri}>Open in an authenticator app on this device</a>
              </p>
            </div>
          </div>
          <ConfirmTotp
            enrolment={enrolment}
            onConfirmed={(recoveryCodes) => {
              setEnrolment(undefined);
              if (recoveryCodes) setCodes(recoveryCodes);
              void load();
              props.onFactorsChanged();
            }}
            onCancel={() => setEnrolment(undefined)}
          />
        </div>
      ) : (
        <>
          <h3>Set up an authenticator app</h3>
          <Form
            submit="Set up an authenticator app"
            label="Set up an authenticator app"
            action={async () => {
              setEnrolment(await client.startTotpEnrolment(label.trim() || undefined));
            }}
          >
            <Field
              label="Name for this app"
              name="totp-label"
              value={label}
              onInput={setLabel}
              hint="Optional, for example “Work phone”."
              maxLength={64}
            />
          </Form>
        </>
      )}
    </Section>
  );
}

function ConfirmTotp(props: {
  enrolment: TotpEnrolment;
  onConfirmed: (codes: RecoveryCodes | null) => void;
  onCancel: () => void;
}): JSX.Element {
  const [code, setCode] = useState('');
  return (
    <Form
      submit="Confirm"
      label="Confirm your authenticator app"
      action={async () => {
        const confirmed = await client.confirmTotpEnrolment(props.enrolment.factorId, code.replace(/\s/g, ''));
        props.onConfirmed(confirmed.recoveryCodes);
      }}
      secondary={
        <button type="button" class="button plain" onClick={props.onCancel}>
          Cancel
        </button>
      }
    >
      <Field
        label="Code from the app"
        name="totp-code"
        value={code}
        onInput={setCode}
        hint="Enter the 6 digits the app shows now, before it changes."
        autoComplete="one-time-code"
        inputMode="numeric"
        maxLength={7}
      />
    </Form>
  );
}
