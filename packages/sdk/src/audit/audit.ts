/**
 * @module audit/audit
 *
 * The auditor API: the tamper-evident audit log, filtered and a page at a time, its latest
 * signed checkpoint, and RFC 9162 inclusion and consistency proofs to check entries and
 * checkpoints against each other. Needs an `aal2` session with `audit:read`; every query is
 * itself audited.
 */
import type { AuditConsistencyProof, AuditEntryList, AuditInclusionProof, AuditLatestCheckpoint } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { queryString } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import type { ParseBody } from '../core/transport.ts';
import { parseAuditConsistencyProof, parseAuditEntryList, parseAuditInclusionProof, parseAuditLatestCheckpoint } from './audit-shapes.ts';

/** Filters and paging of {@link listAuditEntries}. */
export interface AuditEntryFilter {
  /** Only entries whose actor is this account or service id. */
  readonly actorId?: string | undefined;
  /** Only entries about this account id. */
  readonly subjectId?: string | undefined;
  /** Only this action (`domain.verb_past`, e.g. `session.created`). */
  readonly action?: string | undefined;
  /** Only entries at or after this time (ISO 8601). */
  readonly from?: string | undefined;
  /** Only entries before this time (ISO 8601). */
  readonly to?: string | undefined;
  /** Page size, 1–500 (default 50). */
  readonly limit?: number | undefined;
  /** `nextBefore` of the previous page. */
  readonly before?: number | undefined;
}

/**
 * Audit entries, newest first, a page at a time.
 *
 * @example
 *   const { entries, nextBefore } = await listAuditEntries(client, { subjectId: accountId, limit: 100 });
 */
export async function listAuditEntries(client: CoreClient, filter: AuditEntryFilter = {}): Promise<AuditEntryList> {
  const { actorId, subjectId, action, from, to, limit, before } = filter;
  const path = `/v1/audit/entries${queryString({ actorId, subjectId, action, from, to, limit, before })}`;
  return engineOf(client).authorizedCall('GET', path, undefined, parseAuditEntryList);
}

/** The latest signed checkpoint of the log (`checkpoint: null` while the log is empty). */
export async function getAuditCheckpoint(client: CoreClient): Promise<AuditLatestCheckpoint> {
  return engineOf(client).authorizedCall('GET', '/v1/audit/checkpoint', undefined, parseAuditLatestCheckpoint);
}

/** A proof route's answer, for whole-number query values. */
async function getProof<T>(client: CoreClient, path: string, query: Readonly<Record<string, number>>, parse: ParseBody<T>): Promise<T> {
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new TypeError(`${name} must be a whole number`);
  }
  return engineOf(client).authorizedCall('GET', `${path}${queryString(query)}`, undefined, parse);
}

/** RFC 9162 inclusion proof of entry `entryIndex` in the tree of `treeSize` entries (a checkpoint's). */
export async function getAuditInclusionProof(
  client: CoreClient,
  query: { readonly entryIndex: number; readonly treeSize: number },
): Promise<AuditInclusionProof> {
  const { entryIndex, treeSize } = query;
  return getProof(client, '/v1/audit/proofs/inclusion', { entryIndex, treeSize }, parseAuditInclusionProof);
}

/** RFC 9162 consistency proof between two tree sizes (an older and a newer checkpoint). */
export async function getAuditConsistencyProof(
  client: CoreClient,
  query: { readonly fromSize: number; readonly toSize: number },
): Promise<AuditConsistencyProof> {
  const { fromSize, toSize } = query;
  return getProof(client, '/v1/audit/proofs/consistency', { fromSize, toSize }, parseAuditConsistencyProof);
}
