/**
 * @module audit/audit-shapes
 *
 * Shape checks of the audit API's answers. Internal.
 */
import type { AuditConsistencyProof, AuditEntry, AuditEntryList, AuditInclusionProof, AuditLatestCheckpoint } from '@portcullis/protocol';
import { isRecord } from '../http/read-json.ts';
import { isCount, isString, isStringOrNull } from '../http/response-shapes.ts';

function isAuditEntry(value: unknown): value is AuditEntry {
  if (!isRecord(value)) return false;
  const { index, action, outcome, actor, subject, time, canonical } = value;
  return (
    isCount(index) &&
    isString(action) &&
    (outcome === 'success' || outcome === 'failure') &&
    isStringOrNull(actor) &&
    isStringOrNull(subject) &&
    isString(time) &&
    isString(canonical)
  );
}

export function parseAuditEntryList(value: unknown): AuditEntryList | undefined {
  if (!isRecord(value) || !Array.isArray(value['entries']) || !value['entries'].every(isAuditEntry)) return undefined;
  return value['nextBefore'] === null || isCount(value['nextBefore']) ? (value as AuditEntryList) : undefined;
}

export function parseAuditLatestCheckpoint(value: unknown): AuditLatestCheckpoint | undefined {
  if (!isRecord(value)) return undefined;
  const { checkpoint } = value;
  if (checkpoint === null) return { checkpoint: null };
  if (!isRecord(checkpoint) || !isCount(checkpoint['treeSize'])) return undefined;
  const { rootHash, note, verifierKey } = checkpoint;
  return isString(rootHash) && isString(note) && isString(verifierKey) ? (value as AuditLatestCheckpoint) : undefined;
}

const isHashPath = (value: unknown): boolean => Array.isArray(value) && value.every(isString);

export function parseAuditInclusionProof(value: unknown): AuditInclusionProof | undefined {
  if (!isRecord(value) || !isCount(value['entryIndex']) || !isCount(value['treeSize'])) return undefined;
  return isString(value['leafHash']) && isString(value['rootHash']) && isHashPath(value['proof'])
    ? (value as AuditInclusionProof)
    : undefined;
}

export function parseAuditConsistencyProof(value: unknown): AuditConsistencyProof | undefined {
  if (!isRecord(value) || !isCount(value['fromSize']) || !isCount(value['toSize'])) return undefined;
  return isString(value['fromRoot']) && isString(value['toRoot']) && isHashPath(value['proof'])
    ? (value as AuditConsistencyProof)
    : undefined;
}
