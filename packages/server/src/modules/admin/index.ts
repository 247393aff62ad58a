/**
 * @module modules/admin
 *
 * The admin API: accounts with masked personal data, lock and unlock, forced sign-out, second
 * factor reset and roles. Other modules import from here only.
 */
export { adminRoutes } from './routes.ts';
export type { AdminDeps } from './service.ts';
export { maskEmail } from './mask.ts';
