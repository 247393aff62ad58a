/**
 * @module ui/account-copy
 *
 * "Copy" for something the person must keep (recovery codes, an exported document): the
 * clipboard API only, so nothing is selected or rewritten in the page, and the result is said
 * in words next to the button like every other action.
 */
import type { JSX } from 'preact';
import { ActionButton } from './form.tsx';

export function CopyButton(props: { label: string; text: string }): JSX.Element {
  return (
    <ActionButton
      label={props.label}
      action={async () => {
        await navigator.clipboard.writeText(props.text);
        return 'Copied.';
      }}
    />
  );
}
