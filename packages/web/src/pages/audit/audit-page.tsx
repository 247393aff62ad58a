/**
 * @module pages/audit/audit-page
 *
 * Audit log: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function AuditPage(): JSX.Element {
  return <Page title="Audit log" lead="Search the tamper-evident audit log." />;
}
