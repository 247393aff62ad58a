/**
 * @module pages/clinician/patient-file-page
 *
 * Patient file: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function PatientFilePage(): JSX.Element {
  return <Page title="Patient file" lead="The file of one patient." />;
}
