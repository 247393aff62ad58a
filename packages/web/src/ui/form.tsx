/**
 * @module ui/form
 *
 * Forms that behave the same everywhere: a label above every field, hints and errors tied to
 * the field with `aria-describedby`, one submit button that shows it is working, and failures
 * shown in words that say what to do (ui/problem.ts), never as a raw response.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { problemWords } from './problem.ts';
import { Notice } from './page.tsx';

export interface FieldProps {
  readonly label: string;
  readonly name: string;
  readonly type?: 'text' | 'email' | 'password' | 'search' | 'tel';
  readonly value: string;
  readonly onInput: (value: string) => void;
  readonly hint?: string;
  readonly autoComplete?: string;
  readonly required?: boolean;
  readonly inputMode?: 'numeric' | 'text' | 'email';
  readonly maxLength?: number;
  readonly multiline?: boolean;
}

export function Field(props: FieldProps): JSX.Element {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    maxLength: props.maxLength,
    'aria-describedby': hintId,
    onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.multiline ? (
        <textarea {...common} rows={4} />
      ) : (
        <input {...common} {...inputType(props.type)} autoComplete={props.autoComplete} inputMode={props.inputMode} />
      )}
    </div>
  );
}

/** Preact types each input `type` separately; the field offers only text-like ones. */
function inputType(type: FieldProps['type']): { type: 'text' } {
  return { type: (type ?? 'text') as 'text' };
}

/** Runs `action` on submit; shows its failure in words and its success message, if any. */
export function Form(props: {
  readonly submit: string;
  readonly action: () => Promise<unknown>;
  readonly children?: ComponentChildren;
  readonly label?: string;
  readonly secondary?: ComponentChildren;
}): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  return (
    <form
      class="form"
      aria-label={props.label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (busy) return;
        setBusy(true);
        setError(undefined);
        setDone(undefined);
        void props
          .action()
          .then((message) => {
            if (typeof message === 'string') setDone(message);
          })
          .catch((failure: unknown) => {
            setError(problemWords(failure));
          })
          .finally(() => {
            setBusy(false);
          });
      }}
    >
      {props.children}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {done ? <Notice kind="success">{done}</Notice> : null}
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Working…' : props.submit}
        </button>
        {props.secondary}
      </div>
    </form>
  );
}

/** A button for one action outside a form (revoke, sign out everywhere); reports like Form. */
export function ActionButton(props: {
  readonly label: string;
  readonly action: () => Promise<unknown>;
  readonly kind?: 'primary' | 'danger' | 'plain';
  readonly describedBy?: string;
}): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  return (
    <span class="action">
      <button
        type="button"
        class={`button ${props.kind ?? 'plain'}`}
        disabled={busy}
        aria-busy={busy}
        aria-describedby={props.describedBy}
        onClick={() => {
          setBusy(true);
          setMessage(undefined);
          void props
            .action()
            .then((done) => {
              if (typeof done === 'string') setMessage({ kind: 'success', text: done });
            })
            .catch((failure: unknown) => {
              setMessage({ kind: 'error', text: problemWords(failure) });
            })
            .finally(() => {
              setBusy(false);
            });
        }}
      >
        {props.label}
      </button>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </span>
  );
}
