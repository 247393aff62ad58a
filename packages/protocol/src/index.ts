/**
 * @module @portcullis/protocol
 *
 * The wire contract shared by server, SDK and scanner. Isomorphic: no Node or DOM globals, and
 * no imports from any other workspace package.
 */
export { ERRORS, ERROR_CODES, isErrorCode } from './errors.ts';
export type { ErrorCode, ErrorDefinition } from './errors.ts';
export { PROBLEM_CONTENT_TYPE, ProblemSchema, ValidationIssueSchema, problemTypeFor } from './problem.ts';
export type { Problem, ValidationIssue } from './problem.ts';
export { HealthSchema, ReadinessSchema } from './health.ts';
export type { Health, Readiness } from './health.ts';
