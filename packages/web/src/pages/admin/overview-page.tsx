/**
 * @module pages/admin/overview-page
 *
 * Security overview: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function AdminOverviewPage(): JSX.Element {
  return <Page title="Security overview" lead="TLS, key service, second-factor coverage, sign-in failures." />;
}
