/**
 * @module accounts/privacy-shapes
 *
 * Shape checks of the erasure receipt, erasure requests and the account export. Internal.
 */
import type { AccountExport, Erasure, ErasureList, ErasureReceipt } from '@portcullis/protocol';
import { ACCOUNT_EXPORT_SCHEMA_ID } from '../lib/wire-constants.ts';
import { isRecord } from '../http/read-json.ts';
import { isCount, isNonEmptyString, isString, isStringOrNull, parseListOf } from '../http/response-shapes.ts';

export function parseErasureReceipt(value: unknown): ErasureReceipt | undefined {
  if (!isRecord(value)) return undefined;
  const { receiptId, accountId, erasedAt, requestedBy, approvedBy, erased, dataKeysDestroyed } = value;
  const fields = [receiptId, accountId, erasedAt, requestedBy, approvedBy].every(isNonEmptyString);
  return fields && isRecord(erased) && Object.values(erased).every(isCount) && isCount(dataKeysDestroyed)
    ? (value as ErasureReceipt)
    : undefined;
}

function isErasure(value: unknown): value is Erasure {
  if (!isRecord(value)) return false;
  const { id, accountId, status, reason, requestedBy, requestedAt, approvedBy, erasedAt } = value;
  return (
    [id, accountId, requestedBy, requestedAt].every(isNonEmptyString) &&
    (status === 'pending' || status === 'erased') &&
    [reason, approvedBy, erasedAt].every(isStringOrNull)
  );
}

export function parseErasure(value: unknown): Erasure | undefined {
  return isErasure(value) ? value : undefined;
}

export function parseErasureList(value: unknown): ErasureList | undefined {
  return parseListOf(value, 'erasures', isErasure);
}

const LISTS = [
  'recordEntries',
  'grantsGiven',
  'grantsReceived',
  'sessions',
  'knownDevices',
  'factors',
  'passkeys',
  'linkedIdentities',
  'auditEntries',
] as const;

/** Checks the envelope (schema id, account, the lists); the full shape is the published JSON Schema. */
export function parseAccountExport(value: unknown): AccountExport | undefined {
  if (!isRecord(value) || value['$schema'] !== ACCOUNT_EXPORT_SCHEMA_ID || !isCount(value['schemaVersion'])) return undefined;
  const account = value['account'];
  if (!isRecord(account) || !isNonEmptyString(account['id']) || !isString(account['email'])) return undefined;
  if (!(value['profile'] === null || isRecord(value['profile']))) return undefined;
  return LISTS.every((key) => Array.isArray(value[key])) ? (value as AccountExport) : undefined;
}
