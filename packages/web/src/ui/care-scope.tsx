/**
 * @module ui/care-scope
 *
 * What a grant lets a clinician do, in the same words on the patient's and the clinician's
 * pages, and the choice of it when giving access (a fieldset of two radio buttons).
 */
import type { JSX } from 'preact';
import { useId } from 'preact/hooks';
import type { RecordGrant } from '@portcullis/protocol';

export const SCOPE_WORDS: Record<RecordGrant['scope'], string> = {
  read: 'Can read the file',
  write: 'Can read the file and add entries',
};

export function ScopeChoice(props: { value: RecordGrant['scope']; onChange: (scope: RecordGrant['scope']) => void }): JSX.Element {
  const id = useId();
  const options: { scope: RecordGrant['scope']; label: string }[] = [
    { scope: 'read', label: 'Read my file' },
    { scope: 'write', label: 'Read my file and add entries' },
  ];
  return (
    <fieldset class="field choice">
      <legend>What the clinician can do</legend>
      {options.map((option) => (
        <div key={option.scope}>
          <input
            type="radio"
            id={`${id}-${option.scope}`}
            name="scope"
            value={option.scope}
            checked={props.value === option.scope}
            onChange={() => props.onChange(option.scope)}
          />{' '}
          <label for={`${id}-${option.scope}`}>{option.label}</label>
        </div>
      ))}
    </fieldset>
  );
}
