/**
 * @module modules/accounts
 *
 * Accounts and password credentials. Other modules import from here only.
 */
export { accountsRoutes } from './routes.ts';
export type { AccountsRouteDeps } from './routes.ts';
export { createPasswordBlocklist, createPasswordHasher, createPasswordPolicy, threadPoolSizeFor } from './password/index.ts';
export type { PasswordBlocklist, PasswordHasher, PasswordPolicy } from './password/index.ts';
export { createExternalAccount, findAccountSignInState, normalizeEmail } from './external-account.ts';
export type { AccountSignInState } from './external-account.ts';
export { createFirstAdmin } from './first-admin.ts';
export type { FirstAdmin } from './first-admin.ts';
export { createSeededAccount, findAccountIdByEmail, hasAnyAccount } from './seeded-account.ts';
export type { SeededAccountDeps, SeededAccountInput } from './seeded-account.ts';
export { findAccountByEmail, isLiveAccount, tombstoneAccount } from './repository.ts';
export type { TombstoneOutcome } from './repository.ts';
export { getAccount } from './service.ts';
export type { AccountsDeps } from './service.ts';
