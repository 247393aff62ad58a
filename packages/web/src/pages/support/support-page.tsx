/**
 * @module pages/support/support-page
 *
 * Account help: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function SupportPage(): JSX.Element {
  return <Page title="Account help" lead="Find an account and help its owner." />;
}
