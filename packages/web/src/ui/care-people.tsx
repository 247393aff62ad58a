/**
 * @module ui/care-people
 *
 * People by name: the public display name from a person's profile, read once per page load and
 * shared by every view (a grant, an entry's author, a conversation). The name is public data and
 * renders as text; without one the app says "a clinic member" rather than showing an id.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getProfile } from '@portcullis/sdk/records';
import { client } from '../client.ts';
import { useSession } from '../session.tsx';

const names = new Map<string, Promise<string | undefined>>();

/** The display name of `accountId`, or `undefined` when they have none the caller may see. */
export function nameOf(accountId: string): Promise<string | undefined> {
  let name = names.get(accountId);
  if (!name) {
    name = getProfile(client, accountId).then(
      (profile) => {
        const value = profile.fields['displayName'];
        return typeof value === 'string' && value.trim() !== '' ? value : undefined;
      },
      () => undefined,
    );
    names.set(accountId, name);
  }
  return name;
}

/** The name of `accountId` for use in text (labels, headings); "You" for the signed-in person. */
export function usePersonName(accountId: string | undefined, fallback = 'A clinic member'): string {
  const { current } = useSession();
  const [name, setName] = useState<string | undefined>();
  useEffect(() => {
    setName(undefined);
    if (!accountId) return;
    let live = true;
    void nameOf(accountId).then((found) => {
      if (live) setName(found);
    });
    return () => {
      live = false;
    };
  }, [accountId]);
  if (accountId && current?.account.id === accountId) return 'You';
  return name ?? fallback;
}

export function PersonName(props: { accountId: string; fallback?: string }): JSX.Element {
  return <span class="person-name">{usePersonName(props.accountId, props.fallback)}</span>;
}
