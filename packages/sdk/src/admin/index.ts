/**
 * @module @portcullis/sdk/admin
 *
 * The admin API: the alerts for a console's banner, the security overview, accounts (masked unless unmasked with a step-up), lock and unlock, sign-out
 * everywhere, second-factor reset, roles, and erasure by two administrators.
 *
 * @example
 *   import { listAccounts, lockAccount } from '@portcullis/sdk/admin';
 *
 *   const { accounts } = await listAccounts(client, { email: 'ada@example.com' });
 *   if (accounts[0]) await lockAccount(client, accounts[0].id);
 */
export {
  approveErasure,
  getAccountDetail,
  getAdminAlerts,
  getSecurityOverview,
  listAccounts,
  listAccountsUnmasked,
  listPendingErasures,
  lockAccount,
  requestErasure,
  resetAccountMfa,
  setAccountRoles,
  signOutAccount,
  unlockAccount,
} from './admin.ts';
export type { AccountListQuery } from './admin.ts';
