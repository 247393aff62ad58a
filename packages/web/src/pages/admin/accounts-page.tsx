/**
 * @module pages/admin/accounts-page
 *
 * Accounts: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function AdminAccountsPage(): JSX.Element {
  return <Page title="Accounts" lead="Search, lock, unlock, sign out, reset second factors, roles." />;
}
