/**
 * @module pages/security/security-page
 *
 * Security, for every signed-in person: passkeys, the authenticator app, recovery codes, and the
 * devices and sessions where the account is signed in. Actions that weaken the account (removing
 * a passkey or app, a new set of recovery codes) ask to confirm it is you first, inline.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Page } from '../../ui/page.tsx';
import { AuthenticatorSection } from './authenticator-section.tsx';
import { PasskeysSection } from './passkeys-section.tsx';
import { RecoveryCodesSection } from './recovery-codes.tsx';
import { SessionsSection } from './sessions-section.tsx';

export function SecurityPage(): JSX.Element {
  // A factor change makes or replaces recovery codes and signs out other sessions: both lists read again.
  const [changes, setChanges] = useState(0);
  const changed = (): void => setChanges((count) => count + 1);
  return (
    <Page title="Security" lead="How you sign in, how you get back in, and where you are signed in.">
      <PasskeysSection />
      <AuthenticatorSection onFactorsChanged={changed} />
      <RecoveryCodesSection refresh={changes} onRegenerated={changed} />
      <SessionsSection refresh={changes} />
    </Page>
  );
}
