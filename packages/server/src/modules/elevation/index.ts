/**
 * @module modules/elevation
 *
 * Time-boxed elevation and role grants that wait for a second admin. The roles they add are
 * joined into the session lookup by the sessions module. Other modules import from here only.
 */
export { elevationRoutes } from './routes.ts';
export { ADMIN_ROLE, grantNeedsApproval, listOpenElevationsOf, requestRoleGrant } from './service.ts';
export type { ElevationDeps } from './service.ts';
