/**
 * @module records/record-shapes
 *
 * Shape checks of the records API's answers (see `http/response-shapes` for why they are
 * shallow). Internal.
 */
import type {
  OwnProfile,
  Profile,
  ProfilePreview,
  RecordEntry,
  RecordEntryList,
  RecordFields,
  RecordGrant,
  RecordGrantList,
} from '@portcullis/protocol';
import { isRecord } from '../http/read-json.ts';
import { isNonEmptyString, isString, parseListOf } from '../http/response-shapes.ts';

/** Declared field values: strings, numbers or booleans by field name. */
function isFields(value: unknown): value is RecordFields {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

function isRecordEntry(value: unknown): value is RecordEntry {
  if (!isRecord(value)) return false;
  const { id, patientAccountId, authorAccountId, type, fields, createdAt } = value;
  return (
    isNonEmptyString(id) &&
    isString(patientAccountId) &&
    isString(authorAccountId) &&
    isNonEmptyString(type) &&
    isFields(fields) &&
    isString(createdAt)
  );
}

function isProfile(value: unknown): value is Profile {
  return isRecord(value) && isNonEmptyString(value['accountId']) && isFields(value['fields']);
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

export const parseProfile = (value: unknown): Profile | undefined => (isProfile(value) ? value : undefined);

export function parseOwnProfile(value: unknown): OwnProfile | undefined {
  if (!isProfile(value)) return undefined;
  const { sharing, updatedAt } = value as Record<string, unknown>;
  const sharingOk = isRecord(sharing) && Object.values(sharing).every(isString);
  return sharingOk && (updatedAt === null || isString(updatedAt)) ? (value as OwnProfile) : undefined;
}

export function parseProfilePreview(value: unknown): ProfilePreview | undefined {
  if (!isRecord(value)) return undefined;
  const { as, profile, entries } = value;
  const ok = (as === 'public' || as === 'care_team') && isProfile(profile) && Array.isArray(entries) && entries.every(isRecordEntry);
  return ok ? (value as ProfilePreview) : undefined;
}
