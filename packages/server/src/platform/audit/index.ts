/**
 * @module platform/audit
 *
 * The audit platform's public surface: the catalogue of actions, the one door every security
 * event goes through (`request.audit`, which services receive as `context.audit`; work without
 * a request builds a detached context in platform/routes/request-context.ts), the tamper-evident
 * log's service functions for the audit routes, the checkpoint schedule the server runs, and the
 * verification and export the CLI runs. The raw writer (`writeAuditEvent` in audit.ts) stays
 * inside the platform: a dependency rule keeps modules off it.
 */
export type { AuditEvent } from './audit.ts';
export { AUDIT_ACTIONS, AUDIT_CATALOGUE, AUDIT_CATEGORIES, isAuditAction } from './catalogue.ts';
export type { AuditAction, AuditActionSpec, AuditCategory } from './catalogue.ts';
export { createAuditor } from './auditor.ts';
export type { Auditor, AuditFields, AuditOrigin, AuditorDeps } from './auditor.ts';
export { registerRequestAudit } from './request-audit.ts';
export { getConsistencyProof, getInclusionProof, latestCheckpoint, listEntries, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from './service.ts';
export type {
  AuditEntryFilter,
  AuditEntryPage,
  AuditLogDeps,
  Checkpoint,
  ConsistencyProof,
  InclusionProof,
  ListedEntry,
} from './service.ts';
export { checkpointIfDue, scheduleCheckpoints } from './checkpoint/checkpointer.ts';
export type { CheckpointDeps, CheckpointSchedule } from './checkpoint/checkpointer.ts';
export { auditLogKey, auditOrigin } from './checkpoint/log-key.ts';
export type { LogKey } from './checkpoint/log-key.ts';
export { parseVerifierKey } from '../signed-note/signed-note.ts';
export { exportCheckpoints, EXPORT_FORMAT } from './export.ts';
export type { AuditExport } from './export.ts';
export { verifyAuditLog } from './verify/verify-log.ts';
export type { VerifyProblem, VerifyReport } from './verify/verify-log.ts';
export { AuditLogIntegrityError } from './log/store.ts';
export { AuditLogMissingError } from './log/append.ts';
