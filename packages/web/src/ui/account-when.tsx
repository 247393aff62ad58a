/**
 * @module ui/account-when
 *
 * A moment shown the same way on the account pages (passkeys, factors, sessions): the person's
 * own locale and time zone, date and time, inside a `<time>` that keeps the exact instant.
 */
import type { JSX } from 'preact';

const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When(props: { at: string | null; never?: string }): JSX.Element {
  if (props.at === null) return <span>{props.never ?? 'Never'}</span>;
  const date = new Date(props.at);
  return <time dateTime={props.at}>{Number.isNaN(date.getTime()) ? props.at : FORMAT.format(date)}</time>;
}
