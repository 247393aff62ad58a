/**
 * @module ui/staff-controls
 *
 * Controls the staff views (support, admin console, audit) share beside ui/form.tsx: a labelled
 * choice list, a labelled date-and-time input, a button that asks "are you sure?" inline before
 * an action that cannot be undone by the person it affects, and a hook that loads data once and
 * again on demand. They report failures the same way Form does (ui/problem.ts).
 */
import type { JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { problemWords } from './problem.ts';
import { Notice } from './page.tsx';

export interface Choice {
  readonly value: string;
  readonly label: string;
}

export function SelectField(props: {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  readonly choices: readonly Choice[];
  readonly onChange: (value: string) => void;
  readonly hint?: string;
}): JSX.Element {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <select
        id={id}
        name={props.name}
        value={props.value}
        aria-describedby={hintId}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A date and time in the person's own time zone; `value` is the input's `YYYY-MM-DDTHH:MM` or ''. */
export function DateTimeField(props: {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
}): JSX.Element {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="datetime-local"
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </div>
  );
}

/**
 * A button that first asks, inline, whether to go ahead: `question` says what will happen, the
 * confirm button repeats the action's words. Keyboard focus moves to the confirm button and
 * back to the first button on cancel.
 */
export function ConfirmAction(props: {
  readonly label: string;
  readonly question: string;
  readonly confirm: string;
  /** Resolves the words to show when done (a string), or anything else when the caller shows the outcome itself. */
  readonly action: () => Promise<unknown>;
}): JSX.Element {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
  }, [asking]);
  return (
    <div class="confirm-action">
      {asking ? (
        <div class="confirm-question" role="group" aria-labelledby={questionId}>
          <p id={questionId}>{props.question}</p>
          <div class="form-actions">
            <button
              type="button"
              ref={confirmButton}
              class="button danger"
              disabled={busy}
              aria-busy={busy}
              onClick={() => {
                setBusy(true);
                setMessage(undefined);
                void props
                  .action()
                  .then((text) => {
                    setAsking(false);
                    if (typeof text === 'string') setMessage({ kind: 'success', text });
                  })
                  .catch((failure: unknown) => {
                    setMessage({ kind: 'error', text: problemWords(failure) });
                  })
                  .finally(() => {
                    setBusy(false);
                  });
              }}
            >
              {busy ? 'Working…' : props.confirm}
            </button>
            <button
              type="button"
              class="button plain"
              disabled={busy}
              onClick={() => {
                setAsking(false);
                setMessage(undefined);
                requestAnimationFrame(() => openButton.current?.focus());
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          ref={openButton}
          class="button danger"
          onClick={() => {
            setMessage(undefined);
            setAsking(true);
          }}
        >
          {props.label}
        </button>
      )}
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </div>
  );
}

/** A time from the API, in the person's locale and time zone. */
export function timeText(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : time.toLocaleString();
}
