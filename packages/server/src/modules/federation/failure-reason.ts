/**
 * @module modules/federation/failure-reason
 *
 * The audit reason for a refused provider step, the same wherever federation refuses one (a
 * native sign-in or link, a web-flow callback, an exchange code): `token_<why>` for an
 * ID token that did not verify, otherwise the error code in lower case.
 */
import type { AppError } from '../../platform/errors/app-error.ts';
import { tokenFailureOf } from './identity/verify-id-token.ts';

export function failureReasonOf(error: AppError): string {
  return error.code === 'FEDERATION_TOKEN_INVALID' ? `token_${tokenFailureOf(error)}` : error.code.toLowerCase();
}
