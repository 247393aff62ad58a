/**
 * @module pages/security/recovery-codes
 *
 * Recovery codes: how many remain, and a new set (step-up first; every earlier code stops
 * working). A new set is shown exactly once — the server keeps only hashes — so the page says
 * so plainly and offers to copy them.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { RecoveryCodes, RecoveryCodeStatus } from '@portcullis/sdk';
import { client } from '../../client.ts';
import { CopyButton } from '../../ui/account-copy.tsx';
import { When } from '../../ui/account-when.tsx';
import { ActionButton } from '../../ui/form.tsx';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { useStepUp } from '../../ui/step-up.tsx';

/** A set of codes just made: shown once, with the warning and a copy button. */
export function NewRecoveryCodes(props: { codes: RecoveryCodes; onDone: () => void }): JSX.Element {
  return (
    <div class="recovery-codes" role="region" aria-labelledby="new-recovery-codes-title">
      <h3 id="new-recovery-codes-title">Your new recovery codes</h3>
      <Notice kind="warning">
        Save these now. They are shown only once. Each code works once, when you cannot use your passkey or authenticator app.
      </Notice>
      <ol class="code-list" aria-label="Recovery codes">
        {props.codes.codes.map((code) => (
          <li key={code} class="mono">
            {code}
          </li>
        ))}
      </ol>
      <div class="form-actions">
        <CopyButton label="Copy the codes" text={props.codes.codes.join('\n')} />
        <button type="button" class="button primary" onClick={props.onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

export function RecoveryCodesSection(props: { refresh: number; onRegenerated: () => void }): JSX.Element {
  const prompt = useStepUp();
  const [status, setStatus] = useState<RecoveryCodeStatus | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [fresh, setFresh] = useState<RecoveryCodes | undefined>();
  const load = useCallback(async () => {
    try {
      setStatus(await client.getRecoveryCodeStatus());
      setFailure(undefined);
    } catch (error) {
      setFailure(problemWords(error));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, props.refresh]);
  return (
    <Section title="Recovery codes">
      <p>Recovery codes let you in when you cannot use your passkey or authenticator app.</p>
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      {status === undefined ? (
        failure ? null : (
          <Loading what="your recovery codes" />
        )
      ) : status.total === 0 ? (
        <p>You have no recovery codes yet. You get them when you set up an authenticator app, or make a set here.</p>
      ) : (
        <p>
          <strong>
            {status.remaining} of {status.total} codes left
          </strong>
          {status.createdAt ? (
            <>
              {' '}
              (made <When at={status.createdAt} />)
            </>
          ) : null}
          {status.remaining <= 3 ? '. Make a new set soon.' : '.'}
        </p>
      )}
      {fresh ? (
        <NewRecoveryCodes
          codes={fresh}
          onDone={() => {
            setFresh(undefined);
          }}
        />
      ) : (
        <ActionButton
          label="Make new recovery codes"
          action={async () => {
            const codes = await client.regenerateRecoveryCodes(prompt);
            setFresh(codes);
            props.onRegenerated();
            await load();
          }}
        />
      )}
      <p class="hint">Making a new set stops every earlier code from working, and signs out your other sessions.</p>
    </Section>
  );
}
