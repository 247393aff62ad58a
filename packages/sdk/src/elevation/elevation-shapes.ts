/**
 * @module elevation/elevation-shapes
 *
 * Shape checks of elevations (time-boxed roles and role grants waiting for approval), shared by
 * the elevation and admin APIs. Internal.
 */
import type { Elevation, ElevationList } from '@portcullis/protocol';
import { isRecord } from '../http/read-json.ts';
import { isNonEmptyString, isString, isStringOrNull, parseListOf } from '../http/response-shapes.ts';

export function isElevation(value: unknown): value is Elevation {
  if (!isRecord(value)) return false;
  const { id, accountId, role, kind, reason, status, requestedBy, requestedAt, durationSeconds, approvedBy, expiresAt } = value;
  return (
    isNonEmptyString(id) &&
    isString(accountId) &&
    isString(role) &&
    (kind === 'elevation' || kind === 'grant') &&
    isString(reason) &&
    isString(status) &&
    isString(requestedBy) &&
    isString(requestedAt) &&
    (durationSeconds === null || typeof durationSeconds === 'number') &&
    isStringOrNull(approvedBy) &&
    isStringOrNull(expiresAt)
  );
}

export const parseElevation = (value: unknown): Elevation | undefined => (isElevation(value) ? value : undefined);

export const parseElevationList = (value: unknown): ElevationList | undefined => parseListOf(value, 'elevations', isElevation);
