/**
 * @module records/record-shapes
 *
 * Shape checks of the records API's answers (see `http/response-shapes` for why they are
 * shallow). Internal.
 */
import type { RecordEntry, RecordEntryList, RecordGrant, RecordGrantList } from '@portcullis/protocol';
import { isRecord } from '../http/read-json.ts';
import { isNonEmptyString, isString, parseListOf } from '../http/response-shapes.ts';

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

export const parseRecordEntryList = (value: unknown): RecordEntryList | undefined => parseListOf(value, 'entries', isRecordEntry);

export const parseRecordGrant = (value: unknown): RecordGrant | undefined => (isRecordGrant(value) ? value : undefined);

export const parseRecordGrantList = (value: unknown): RecordGrantList | undefined => parseListOf(value, 'grants', isRecordGrant);
