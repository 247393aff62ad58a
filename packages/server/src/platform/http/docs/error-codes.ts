/**
 * @module platform/http/docs/error-codes
 *
 * Which error codes an operation's reference lists. Routes do not declare the codes their
 * handlers raise, so the reference claims no more than it can know: the codes the route's
 * contract makes the platform hooks answer with (platform/routes/authentication.ts, step-up.ts,
 * rate-limit/request-limits.ts, the error handler's validation), plus any code the operation's
 * own description names. The catalogue section lists every code, for the rest.
 */
import { ERRORS, isErrorCode, type ErrorCode } from '@portcullis/protocol';
import {
  ENROLMENT_FACTORS,
  SECOND_FACTOR_ENROLMENTS,
  enrolmentAllows,
  type EnrolmentFactor,
  type RouteEnrolment,
} from '../../routes/contract.ts';
import type { OpenApiOperation } from './document.ts';

/** Codes any request can meet, whatever its route: transport, origin and server-side failures. */
export const ANY_OPERATION_CODES: readonly ErrorCode[] = [
  'REQUEST_MALFORMED',
  'REQUEST_TIMEOUT',
  'REQUEST_HEADERS_TOO_LARGE',
  'REQUEST_URL_INVALID',
  'REQUEST_URL_TOO_LONG',
  'CORS_ORIGIN_FORBIDDEN',
  'SERVICE_UNAVAILABLE',
  'KEY_SERVICE_UNAVAILABLE',
  'SERVICE_SHUTTING_DOWN',
  'INTERNAL_ERROR',
];

/**
 * The restrictions a session can carry (see `EnrolmentFactor`): a breached password (change it
 * first), a missing second factor (enrol any), a passkey-first sign-up (enrol a passkey).
 */
const RESTRICTIONS: readonly (readonly EnrolmentFactor[])[] = [['password'], SECOND_FACTOR_ENROLMENTS, ['passkey']];

/** What authentication.ts answers a restricted session outside the route's `enrolment`. */
function restrictionCodes(enrolment: string | undefined): ErrorCode[] {
  const declared = [...ENROLMENT_FACTORS, 'any'].includes(enrolment ?? '') ? (enrolment as RouteEnrolment) : undefined;
  return RESTRICTIONS.filter((restriction) => !enrolmentAllows(declared, restriction)).map((restriction): ErrorCode =>
    restriction.includes('password') ? 'PASSWORD_CHANGE_REQUIRED' : 'MFA_ENROLMENT_REQUIRED',
  );
}

function contractCodes(operation: OpenApiOperation): ErrorCode[] {
  const codes: ErrorCode[] = [];
  const hasInput = operation.requestBody !== undefined || (operation.parameters?.length ?? 0) > 0;
  if (hasInput) codes.push('REQUEST_INVALID');
  if (operation.requestBody !== undefined) codes.push('REQUEST_BODY_TOO_LARGE', 'REQUEST_MEDIA_TYPE_UNSUPPORTED');
  const auth = operation['x-portcullis-auth'];
  if (auth === 'client') codes.push('AUTH_CLIENT_INVALID');
  if (auth === 'aal1' || auth === 'aal2' || auth === 'aal2_phr') {
    codes.push('AUTH_REQUIRED', 'AUTH_DPOP_INVALID', 'AUTH_DPOP_NONCE_REQUIRED');
    if (auth !== 'aal1') codes.push('AUTH_LEVEL_INSUFFICIENT');
    codes.push(...restrictionCodes(operation['x-portcullis-enrolment']));
    if ((operation['x-portcullis-permission'] ?? 'none') !== 'none') codes.push('RBAC_FORBIDDEN');
  }
  if (operation['x-portcullis-step-up'] !== undefined) codes.push('STEP_UP_REQUIRED');
  const limit = operation['x-portcullis-limit'];
  if (limit !== undefined && limit !== 'none') codes.push('RATE_LIMITED');
  return codes;
}

function namedCodes(operation: OpenApiOperation): ErrorCode[] {
  const text = `${operation.summary ?? ''} ${operation.description ?? ''}`;
  const words: string[] = text.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? [];
  return words.filter(isErrorCode);
}

/** The operation's codes, without duplicates, ordered by HTTP status then as found. */
export function operationErrorCodes(operation: OpenApiOperation): readonly ErrorCode[] {
  const codes = [...new Set([...contractCodes(operation), ...namedCodes(operation)])];
  return codes.sort((a, b) => ERRORS[a].status - ERRORS[b].status);
}

/** The fragment of a code's entry in the catalogue section: `err-request-invalid`. */
export function errorAnchor(code: string): string {
  return `err-${code.toLowerCase().replace(/_/g, '-')}`;
}
