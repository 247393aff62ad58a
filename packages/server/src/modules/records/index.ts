/**
 * @module modules/records
 *
 * The patient file with sharing grants, scoped in SQL to the caller (scope.ts). Other modules
 * import from here only.
 */
export { recordsRoutes } from './routes.ts';
export type { RecordsDeps } from './service.ts';
