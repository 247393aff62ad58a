/**
 * @module pages/patient/my-file-page
 *
 * My file: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function MyFilePage(): JSX.Element {
  return <Page title="My file" lead="Your health record." />;
}
