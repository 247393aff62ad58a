/**
 * @module pages/patient/sharing-page
 *
 * Who can see my file: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function SharingPage(): JSX.Element {
  return <Page title="Who can see my file" lead="Clinicians you gave access." />;
}
