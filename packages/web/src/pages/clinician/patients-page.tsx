/**
 * @module pages/clinician/patients-page
 *
 * My patients: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function PatientsPage(): JSX.Element {
  return <Page title="My patients" lead="Patients who gave you access to their file." />;
}
