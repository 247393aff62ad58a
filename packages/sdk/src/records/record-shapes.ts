/**
 * @module records/record-shapes
 *
 * Shape checks of the records API's answers (see `http/response-shapes` for why they are
 * shallow). Internal.
 */
import type { RecordEntry, RecordEntryList, RecordGrant, RecordGrantList } from '@portcullis/protocol';
import { isRecord } from '../http/read-json.ts';
import { isNonEmptyString, isString } from '../http/response-shapes.ts';

function isRecordEntry(value: unknown): value is RecordEntry {
  if (!isRecord(value)) return false;
  const { id, patientAccountId, authorAccountId, kind, body, createdAt } = value;
  return (
    isNonEmptyString(id) &&
    isString(patientAccountId) &&
    isString(authorAccountId) &&
    isString(kind) &&
    isString(body) &&
    isString(createdAt)
  );
}

function isRecordGrant(value: unknown): value is RecordGrant {
  if (!isRecord(value)) return false;
  const { id, patientAccountId, granteeAccountId, scope, createdAt } = value;
  return (
    isNonEmptyString(id) &&
    isString(patientAccountId) &&
    isString(granteeAccountId) &&
    (scope === 'read' || scope === 'write') &&
    isString(createdAt)
  );
}

export const parseRecordEntry = (value: unknown): RecordEntry | undefined => (isRecordEntry(value) ? value : undefined);

export function parseRecordEntryList(value: unknown): RecordEntryList | undefined {
  return isRecord(value) && Array.isArray(value['entries']) && value['entries'].every(isRecordEntry)
    ? (value as RecordEntryList)
    : undefined;
}

export const parseRecordGrant = (value: unknown): RecordGrant | undefined => (isRecordGrant(value) ? value : undefined);

export function parseRecordGrantList(value: unknown): RecordGrantList | undefined {
  return isRecord(value) && Array.isArray(value['grants']) && value['grants'].every(isRecordGrant) ? (value as RecordGrantList) : undefined;
}
