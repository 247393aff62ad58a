/**
 * @module admin/admin-shapes
 *
 * Shape checks of the admin API's answers. Internal.
 */
import type {
  AdminAccount,
  AdminAccountDetail,
  AdminAccountList,
  AdminActionResult,
  AdminAlertList,
  AdminOverview,
  MfaResetResult,
  RolesChangeResult,
} from '@portcullis/protocol';
import { isElevation } from '../elevation/elevation-shapes.ts';
import { isRecord } from '../http/read-json.ts';
import { isCount, isNonEmptyString, isString, isStringOrNull, parseListOf } from '../http/response-shapes.ts';

const isAccountStatus = (value: unknown): value is 'active' | 'locked' => value === 'active' || value === 'locked';

function isAdminAccount(value: unknown): value is AdminAccount {
  if (!isRecord(value)) return false;
  const { id, email, masked, emailVerified, roles, status, createdAt } = value;
  return (
    isNonEmptyString(id) &&
    isString(email) &&
    typeof masked === 'boolean' &&
    typeof emailVerified === 'boolean' &&
    Array.isArray(roles) &&
    roles.every(isString) &&
    isAccountStatus(status) &&
    isString(createdAt)
  );
}

export function parseAdminAccountList(value: unknown): AdminAccountList | undefined {
  if (!isRecord(value) || !Array.isArray(value['accounts']) || !value['accounts'].every(isAdminAccount)) return undefined;
  return isStringOrNull(value['nextAfter']) ? (value as AdminAccountList) : undefined;
}

export function parseAdminAccountDetail(value: unknown): AdminAccountDetail | undefined {
  if (!isRecord(value) || !isAdminAccount(value['account'])) return undefined;
  const { sessions, elevations } = value;
  if (!Array.isArray(sessions) || !sessions.every((session) => isRecord(session) && isString(session['id']))) return undefined;
  return Array.isArray(elevations) && elevations.every(isElevation) ? (value as AdminAccountDetail) : undefined;
}

export function parseAdminActionResult(value: unknown): AdminActionResult | undefined {
  return isRecord(value) && isAccountStatus(value['status']) && isCount(value['revokedSessions'])
    ? (value as AdminActionResult)
    : undefined;
}

export function parseMfaResetResult(value: unknown): MfaResetResult | undefined {
  if (!isRecord(value) || !isCount(value['revokedSessions']) || !isRecord(value['removed'])) return undefined;
  const { totp, recoveryCodeSets, passkeys, phones } = value['removed'];
  return [totp, recoveryCodeSets, passkeys, phones].every(isCount) ? (value as MfaResetResult) : undefined;
}

export function parseRolesChangeResult(value: unknown): RolesChangeResult | undefined {
  if (!isRecord(value) || !Array.isArray(value['roles']) || !value['roles'].every(isString)) return undefined;
  return Array.isArray(value['pending']) && value['pending'].every(isElevation) ? (value as RolesChangeResult) : undefined;
}

const isRatio = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;

function isAlert(value: unknown): value is AdminAlertList['alerts'][number] {
  if (!isRecord(value)) return false;
  const { kind, since, until, message, failureRatio, failures, attempts } = value;
  return (
    kind === 'attack_mode' &&
    isString(since) &&
    isString(until) &&
    isString(message) &&
    isRatio(failureRatio) &&
    isCount(failures) &&
    isCount(attempts)
  );
}

export function parseAdminAlertList(value: unknown): AdminAlertList | undefined {
  return parseListOf(value, 'alerts', isAlert);
}

const isLevel = (value: unknown): boolean => value === 'aal1' || value === 'aal2' || value === 'aal2_phr';

function isCoverage(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { role, requiredLevel, accounts, withSecondFactor, withPasskey } = value;
  return isNonEmptyString(role) && isLevel(requiredLevel) && isCount(accounts) && isCount(withSecondFactor) && isCount(withPasskey);
}

export function parseAdminOverview(value: unknown): AdminOverview | undefined {
  if (!isRecord(value)) return undefined;
  const { tls, keyService, secondFactorCoverage, signInFailures } = value;
  if (!isRecord(tls) || !['self-signed', 'files', 'upstream'].includes(tls['mode'] as string) || !isString(tls['minVersion']))
    return undefined;
  if (!isRecord(keyService) || !isString(keyService['adapter']) || !['up', 'unavailable'].includes(keyService['status'] as string))
    return undefined;
  if (!isStringOrNull(keyService['currentVersion'])) return undefined;
  if (!Array.isArray(secondFactorCoverage) || !secondFactorCoverage.every(isCoverage)) return undefined;
  if (!isRecord(signInFailures) || typeof signInFailures['attackMode'] !== 'boolean') return undefined;
  const { windowMinutes, failures, attempts, usualRatio } = signInFailures;
  return isCount(windowMinutes) && isCount(failures) && isCount(attempts) && isRatio(usualRatio) ? (value as AdminOverview) : undefined;
}
