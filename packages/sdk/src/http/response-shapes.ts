/**
 * @module http/response-shapes
 *
 * Checks that success bodies have the shape `@portcullis/protocol` promises before the SDK
 * hands them out typed. Deliberately shallow (types of the members the SDK or app relies on):
 * the server validates its own responses against the schemas; this catches a wrong server, a
 * captive portal or a proxy answering instead. Each parser returns `undefined` on mismatch.
 * Internal.
 */
import type {
  Accepted,
  Account,
  MfaCodeSent,
  MfaFactorList,
  PhoneCodeSent,
  PhoneConfirmation,
  PhoneEnrolment,
  Passkey,
  PasskeyCreationOptions,
  PasskeyList,
  PasskeyRequestOptions,
  RecoveryCodes,
  RecoveryCodeStatus,
  Session,
  SessionList,
  TokenResponse,
  TotpConfirmation,
  TotpEnrolment,
} from '@portcullis/protocol';
import { isRecord } from './read-json.ts';

/** Shared by every feature's shape checks. */
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
export const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
export const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** A list answer, `{ [key]: [item, …] }`, when every item passes `isItem`. */
export function parseListOf<K extends string, I>(value: unknown, key: K, isItem: (item: unknown) => item is I): Record<K, I[]> | undefined {
  if (!isRecord(value)) return undefined;
  const items = value[key];
  return Array.isArray(items) && items.every(isItem) ? (value as Record<K, I[]>) : undefined;
}

export type { Revoked } from '@portcullis/protocol';
import type { Revoked } from '@portcullis/protocol';

export function parseTokenResponse(value: unknown): TokenResponse | undefined {
  if (!isRecord(value)) return undefined;
  // A token type other than DPoP would mean bearer tokens: usable by anyone who copies them.
  if (value['tokenType'] !== 'DPoP') return undefined;
  const { accessToken, refreshToken, expiresIn, refreshExpiresIn, sessionId, aal } = value;
  if (!isNonEmptyString(accessToken) || !isNonEmptyString(refreshToken)) return undefined;
  if (!isCount(expiresIn) || !isCount(refreshExpiresIn)) return undefined;
  if (!isNonEmptyString(sessionId) || !isString(aal)) return undefined;
  const restriction = value['restriction'] === undefined ? undefined : restrictionOf(value['restriction']);
  // A restriction the SDK cannot read must not be mistaken for a full session.
  if (value['restriction'] !== undefined && restriction === undefined) return undefined;
  const tokens = { tokenType: 'DPoP' as const, accessToken, refreshToken, expiresIn, refreshExpiresIn, sessionId, aal };
  return restriction === undefined ? tokens : { ...tokens, restriction };
}

type SessionRestriction = NonNullable<TokenResponse['restriction']>;
const RESTRICTION_REASONS: readonly unknown[] = [
  'password_breached',
  'second_factor_required',
  'passkey_required',
] satisfies SessionRestriction['reason'][];
const RESTRICTION_ALLOWS: readonly unknown[] = ['passkey', 'totp', 'phone', 'password'] satisfies SessionRestriction['allows'][number][];

/** A session's `restriction`: why it is restricted and what it may set up. */
export function restrictionOf(value: unknown): SessionRestriction | undefined {
  if (!isRecord(value) || !RESTRICTION_REASONS.includes(value['reason']) || !Array.isArray(value['allows'])) return undefined;
  const allows: unknown[] = value['allows'];
  if (!allows.every((item) => RESTRICTION_ALLOWS.includes(item))) return undefined;
  return { reason: value['reason'] as SessionRestriction['reason'], allows: allows as SessionRestriction['allows'] };
}

export function parseAccount(value: unknown): Account | undefined {
  if (!isRecord(value)) return undefined;
  const { id, email, emailVerified, roles, createdAt } = value;
  if (!isString(id) || !isString(email) || typeof emailVerified !== 'boolean' || !isString(createdAt)) return undefined;
  if (!Array.isArray(roles) || !roles.every(isString)) return undefined;
  return value as Account;
}

function isSession(value: unknown): value is Session {
  if (!isRecord(value)) return false;
  const { id, current, device, createdAt, lastUsedAt, expiresAt, location, aal } = value;
  return (
    isString(id) &&
    typeof current === 'boolean' &&
    isRecord(device) &&
    isString(device['label']) &&
    isString(device['platform']) &&
    isString(createdAt) &&
    isString(lastUsedAt) &&
    isString(expiresAt) &&
    isString(location) &&
    isString(aal)
  );
}

export function parseSessionList(value: unknown): SessionList | undefined {
  return parseListOf(value, 'sessions', isSession);
}

export function parseRevoked(value: unknown): Revoked | undefined {
  return isRecord(value) && isCount(value['revoked']) ? { revoked: value['revoked'] } : undefined;
}

export function parseAccepted(value: unknown): Accepted | undefined {
  return isRecord(value) && value['status'] === 'accepted' && isString(value['message'])
    ? { status: 'accepted', message: value['message'] }
    : undefined;
}

export function parseTotpEnrolment(value: unknown): TotpEnrolment | undefined {
  if (!isRecord(value)) return undefined;
  const { factorId, otpauthUri, secret, qrCodeSvg, expiresAt } = value;
  if (!isNonEmptyString(factorId) || !isString(otpauthUri) || !otpauthUri.startsWith('otpauth://totp/')) return undefined;
  if (!isNonEmptyString(secret) || !isString(qrCodeSvg) || !isString(expiresAt)) return undefined;
  return value as TotpEnrolment;
}

export function parseTotpConfirmation(value: unknown): TotpConfirmation | undefined {
  if (!isRecord(value) || !isRecord(value['factor'])) return undefined;
  const codes = value['recoveryCodes'];
  if (codes !== null && !(isRecord(codes) && Array.isArray(codes['codes']) && codes['codes'].every(isString))) return undefined;
  return value as TotpConfirmation;
}

export function parsePasskeyCreationOptions(value: unknown): PasskeyCreationOptions | undefined {
  if (!isRecord(value) || !isNonEmptyString(value['challenge']) || !isRecord(value['rp']) || !isRecord(value['user'])) return undefined;
  if (!Array.isArray(value['pubKeyCredParams'])) return undefined;
  return value as PasskeyCreationOptions;
}

export function parsePasskeyRequestOptions(value: unknown): PasskeyRequestOptions | undefined {
  if (!isRecord(value) || !isNonEmptyString(value['challenge']) || !isNonEmptyString(value['rpId'])) return undefined;
  // The server always demands user verification; anything else is not a Portcullis server.
  if (value['userVerification'] !== 'required') return undefined;
  return value as PasskeyRequestOptions;
}

function isPasskey(value: unknown): value is Passkey {
  return isRecord(value) && isNonEmptyString(value['id']) && isString(value['name']) && typeof value['suspended'] === 'boolean';
}

export function parsePasskey(value: unknown): Passkey | undefined {
  return isPasskey(value) ? value : undefined;
}

export function parsePasskeyList(value: unknown): PasskeyList | undefined {
  return parseListOf(value, 'passkeys', isPasskey);
}

const isCodeTiming = (value: Record<string, unknown>): boolean => isCount(value['codeExpiresIn']) && isCount(value['resendAfter']);

export function parseMfaCodeSent(value: unknown): MfaCodeSent | undefined {
  if (!isRecord(value) || (value['channel'] !== 'email' && value['channel'] !== 'sms')) return undefined;
  if (!isString(value['destination']) || !isCodeTiming(value) || !isCount(value['sendsLeft'])) return undefined;
  return value as MfaCodeSent;
}

export function parsePhoneEnrolment(value: unknown): PhoneEnrolment | undefined {
  if (!isRecord(value) || !isNonEmptyString(value['factorId']) || !isString(value['phoneNumber']) || !isString(value['expiresAt'])) {
    return undefined;
  }
  return isCodeTiming(value) ? (value as PhoneEnrolment) : undefined;
}

export function parsePhoneCodeSent(value: unknown): PhoneCodeSent | undefined {
  return isRecord(value) && isString(value['phoneNumber']) && isCodeTiming(value) ? (value as PhoneCodeSent) : undefined;
}

export function parsePhoneConfirmation(value: unknown): PhoneConfirmation | undefined {
  if (!isRecord(value) || !isRecord(value['factor']) || value['factor']['kind'] !== 'phone') return undefined;
  const codes = value['recoveryCodes'];
  if (codes !== null && !(isRecord(codes) && Array.isArray(codes['codes']) && codes['codes'].every(isString))) return undefined;
  return value as PhoneConfirmation;
}

export function parseMfaFactorList(value: unknown): MfaFactorList | undefined {
  if (!isRecord(value) || !Array.isArray(value['factors'])) return undefined;
  const wellFormed = value['factors'].every(
    (factor) => isRecord(factor) && isNonEmptyString(factor['id']) && isString(factor['kind']) && isString(factor['label']),
  );
  return wellFormed ? (value as MfaFactorList) : undefined;
}

export function parseRecoveryCodes(value: unknown): RecoveryCodes | undefined {
  if (!isRecord(value) || !Array.isArray(value['codes']) || !value['codes'].every(isNonEmptyString)) return undefined;
  return isString(value['createdAt']) ? (value as RecoveryCodes) : undefined;
}

export function parseRecoveryCodeStatus(value: unknown): RecoveryCodeStatus | undefined {
  if (!isRecord(value) || !isCount(value['total']) || !isCount(value['remaining'])) return undefined;
  return value['createdAt'] === null || isString(value['createdAt']) ? (value as RecoveryCodeStatus) : undefined;
}
