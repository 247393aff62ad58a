/**
 * @module modules/privacy
 *
 * A person's rights over the data held about them: erasure by crypto-shredding (their own, or
 * by two administrators) with a receipt, and the export of everything held about them. Other
 * modules import from here only.
 */
export { privacyRoutes } from './routes.ts';
export type { PrivacyRouteDeps } from './routes.ts';
export type { ErasureDeps } from './erasure.ts';
export type { ExportDeps } from './export.ts';
