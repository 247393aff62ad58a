/**
 * @module pages/privacy/privacy-page
 *
 * Privacy: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function PrivacyPage(): JSX.Element {
  return <Page title="Privacy" lead="Your profile, who can see each field, export and deletion." />;
}
