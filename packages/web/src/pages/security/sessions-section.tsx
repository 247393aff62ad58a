/**
 * @module pages/security/sessions-section
 *
 * Where the account is signed in: one session per device, this device marked, with when it
 * started and was last used and its coarse network location. Signing out another session ends
 * it on the server at once (a lost phone); "sign out all other sessions" keeps only this one.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Session } from '@portcullis/sdk';
import { client } from '../../client.ts';
import { When } from '../../ui/account-when.tsx';
import { ActionButton } from '../../ui/form.tsx';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';

const PLATFORMS: Record<string, string> = { web: 'Web browser', ios: 'iPhone or iPad app', android: 'Android app' };

export function SessionsSection(props: { refresh: number }): JSX.Element {
  const [sessions, setSessions] = useState<readonly Session[] | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      const list = (await client.listSessions()).sessions;
      // This device first, then the most recently used.
      setSessions([...list].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt)));
      setFailure(undefined);
    } catch (error) {
      setFailure(problemWords(error));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, props.refresh]);
  const others = sessions?.filter((session) => !session.current).length ?? 0;
  return (
    <Section title="Devices and sessions">
      <p>Every device where you are signed in. If you do not recognise one, sign it out and change your password.</p>
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      {sessions === undefined ? (
        failure ? null : (
          <Loading what="your sessions" />
        )
      ) : (
        <ul class="list" aria-label="Your sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <div class="item-text">
                <strong id={`session-${session.id}`}>
                  {session.device.label}
                  {session.current ? <span class="tag"> This device</span> : null}
                </strong>
                <p class="muted">
                  {PLATFORMS[session.device.platform] ?? session.device.platform} · Signed in <When at={session.createdAt} /> · Last used{' '}
                  <When at={session.lastUsedAt} /> · Network {session.location}
                </p>
              </div>
              {session.current ? null : (
                <ActionButton
                  label="Sign out"
                  describedBy={`session-${session.id}`}
                  action={async () => {
                    await client.revokeSession(session.id);
                    await load();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {others > 0 ? (
        <ActionButton
          label="Sign out all other sessions"
          kind="danger"
          action={async () => {
            const { revoked } = await client.revokeOtherSessions();
            await load();
            return revoked === 1 ? 'Signed out 1 other session.' : `Signed out ${revoked} other sessions.`;
          }}
        />
      ) : sessions ? (
        <p class="muted">You are not signed in anywhere else.</p>
      ) : null}
    </Section>
  );
}
