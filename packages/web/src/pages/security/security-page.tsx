/**
 * @module pages/security/security-page
 *
 * Security: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function SecurityPage(): JSX.Element {
  return <Page title="Security" lead="Passkeys, authenticator app, recovery codes, devices and sessions." />;
}
