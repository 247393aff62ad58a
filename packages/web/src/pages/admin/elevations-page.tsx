/**
 * @module pages/admin/elevations-page
 *
 * Elevations: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function AdminElevationsPage(): JSX.Element {
  return <Page title="Elevations" lead="Requests for temporary roles." />;
}
