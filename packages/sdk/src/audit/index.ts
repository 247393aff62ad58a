/**
 * @module @portcullis/sdk/audit
 *
 * The auditor API: the audit log, its signed checkpoint, and RFC 9162 inclusion and consistency proofs,
 * with an entry's inclusion verified on the client (`verifyAuditInclusion`).
 *
 * @example
 *   import { getAuditCheckpoint, listAuditEntries } from '@portcullis/sdk/audit';
 *
 *   const { entries } = await listAuditEntries(client, { action: 'session.created', limit: 20 });
 *   const { checkpoint } = await getAuditCheckpoint(client);
 */
export { getAuditCheckpoint, getAuditConsistencyProof, getAuditInclusionProof, listAuditEntries } from './audit.ts';
export type { AuditEntryFilter } from './audit.ts';
export { verifyAuditInclusion } from './verify-inclusion.ts';
export type { AuditInclusionCheck, AuditInclusionStep, AuditInclusionVerdict } from './verify-inclusion.ts';
