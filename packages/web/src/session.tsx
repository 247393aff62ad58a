/**
 * @module session
 *
 * Who is signed in, as the whole app sees it: the account (with its roles) and the session's
 * assurance and restriction. Loaded once at start from the stored session, and again after
 * every sign-in or sign-out.
 */
import { createContext, type ComponentChildren, type JSX } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import type { Account, SessionInfo } from '@portcullis/sdk';
import { client } from './client.ts';

export type Role = 'patient' | 'clinician' | 'support' | 'admin' | 'auditor';

export interface SignedIn {
  readonly account: Account;
  readonly session: SessionInfo;
}

export interface SessionState {
  /** `undefined` while loading, `null` when nobody is signed in. */
  readonly current: SignedIn | null | undefined;
  /** Reads the session and account again (after sign-in, enrolment, sign-out). */
  readonly reload: () => Promise<void>;
}

const SessionContext = createContext<SessionState>({ current: undefined, reload: async () => undefined });

async function load(): Promise<SignedIn | null> {
  const session = await client.currentSession();
  if (!session) return null;
  // A restricted session may only enrol; it cannot read the account yet.
  if (session.restriction) return { session, account: { id: '', email: '', emailVerified: true, roles: [], createdAt: '' } };
  try {
    return { session, account: await client.getAccount() };
  } catch {
    return null;
  }
}

export function SessionProvider(props: { children: ComponentChildren }): JSX.Element {
  const [current, setCurrent] = useState<SignedIn | null | undefined>(undefined);
  const reload = useCallback(async () => setCurrent(await load()), []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return <SessionContext.Provider value={{ current, reload }}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}

/** The app's roles this account holds, in the order the navigation shows them. */
export function rolesOf(account: Account): Role[] {
  const known: Role[] = ['patient', 'clinician', 'support', 'admin', 'auditor'];
  return known.filter((role) => account.roles.includes(role));
}
