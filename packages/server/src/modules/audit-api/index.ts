/**
 * @module modules/audit-api
 *
 * The auditor API over the tamper-evident audit log (platform/audit): filtered, paginated
 * listing, the latest signed checkpoint, and inclusion and consistency proofs. Every auditor
 * query is itself written to the log. Other modules import from here only.
 */
export { auditApiRoutes } from './routes.ts';
export type { AuditApiDeps } from './routes.ts';
