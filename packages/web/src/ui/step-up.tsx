/**
 * @module ui/step-up
 *
 * "Confirm it is you", inline: an action that the server answers with `STEP_UP_REQUIRED` opens
 * this dialog with the methods the challenge allows (passkey first), and the SDK repeats the
 * action with the step-up token once the person answers. Cancelling resolves `null`, which the
 * SDK turns back into the original `STEP_UP_REQUIRED` error for the page to show.
 */
import { createContext, type ComponentChildren, type JSX } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { browserPasskeyAuthenticator, type AuthChallenge, type StepUpAnswer, type StepUpPrompt } from '@portcullis/sdk';
import { Field } from './form.tsx';

interface Pending {
  readonly challenge: AuthChallenge;
  readonly answer: (answer: StepUpAnswer | null) => void;
}

const StepUpContext = createContext<StepUpPrompt>(async () => null);

/** The prompt to hand to SDK calls that may need a step-up. */
export function useStepUp(): StepUpPrompt {
  return useContext(StepUpContext);
}

export function StepUpProvider(props: { children: ComponentChildren }): JSX.Element {
  const [pending, setPending] = useState<Pending | undefined>();
  const prompt: StepUpPrompt = (challenge) =>
    new Promise((resolve) => {
      setPending({
        challenge,
        answer: (answer) => {
          setPending(undefined);
          resolve(answer);
        },
      });
    });
  return (
    <StepUpContext.Provider value={prompt}>
      {props.children}
      {pending ? <StepUpDialog pending={pending} /> : null}
    </StepUpContext.Provider>
  );
}

function StepUpDialog(props: { pending: Pending }): JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const [code, setCode] = useState('');
  const { challenge, answer } = props.pending;
  const methods = challenge.methods;
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const [useRecoveryCode, setUseRecoveryCode] = useState(!methods.includes('totp'));
  const codeMethod = !useRecoveryCode ? 'totp' : methods.includes('recovery_code') ? 'recovery_code' : undefined;
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="step-up-title" onCancel={() => answer(null)}>
      <h2 id="step-up-title">Confirm it is you</h2>
      <p>This action protects your account or someone’s data, so we ask again before doing it.</p>
      {methods.includes('passkey') ? (
        <button
          type="button"
          class="button primary"
          onClick={() => answer({ method: 'passkey', authenticator: browserPasskeyAuthenticator() })}
        >
          Confirm with a passkey
        </button>
      ) : null}
      {codeMethod ? (
        <form
          class="form"
          onSubmit={(event) => {
            event.preventDefault();
            answer({ method: codeMethod, code: code.trim() });
          }}
        >
          <Field
            label={codeMethod === 'totp' ? 'Code from your authenticator app' : 'A recovery code'}
            name="step-up-code"
            value={code}
            onInput={setCode}
            autoComplete="one-time-code"
            inputMode={codeMethod === 'totp' ? 'numeric' : 'text'}
          />
          <button type="submit" class="button">
            Confirm with the code
          </button>
        </form>
      ) : null}
      {codeMethod === 'totp' && methods.includes('recovery_code') ? (
        <button
          type="button"
          class="button plain"
          onClick={() => {
            setCode('');
            setUseRecoveryCode(true);
          }}
        >
          Use a recovery code instead
        </button>
      ) : null}
      <button type="button" class="button plain" onClick={() => answer(null)}>
        Cancel
      </button>
    </dialog>
  );
}
