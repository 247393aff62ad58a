/**
 * @module http/challenges
 *
 * Recognises the two 401/400 answers the client handles by itself instead of surfacing them:
 *
 * - a DPoP nonce challenge (RFC 9449 §8 for token requests, §9 for resource requests): Portcullis
 *   sends problem code `AUTH_DPOP_NONCE_REQUIRED`; standard servers send
 *   `400 {"error":"use_dpop_nonce"}` or `WWW-Authenticate: DPoP error="use_dpop_nonce"`. Always
 *   together with a `DPoP-Nonce` header.
 * - a rejected access token (expired, revoked or unknown): problem code `AUTH_REQUIRED`, or
 *   `WWW-Authenticate: DPoP error="invalid_token"` (RFC 6750 §3.1).
 *
 * Reads a clone of the body, so the original response stays readable. Internal.
 */
import { DPOP_NONCE_HEADER } from '../lib/wire-constants.ts';
import { isRecord, readJson } from './read-json.ts';
import { wwwAuthenticateParams } from './www-authenticate.ts';

/** The `error` parameter of a `WWW-Authenticate` challenge, if any. */
function wwwAuthenticateError(response: Response): string | undefined {
  return wwwAuthenticateParams(response).get('error');
}

async function bodyOf(response: Response): Promise<Record<string, unknown> | undefined> {
  const body = await readJson(response.clone());
  return isRecord(body) ? body : undefined;
}

/** Whether the server refused the request until it carries the nonce in `DPoP-Nonce`. */
export async function isNonceChallenge(response: Response): Promise<boolean> {
  if (response.status !== 400 && response.status !== 401) return false;
  if (!response.headers.has(DPOP_NONCE_HEADER)) return false;
  if (wwwAuthenticateError(response) === 'use_dpop_nonce') return true;
  const body = await bodyOf(response);
  return body?.['code'] === 'AUTH_DPOP_NONCE_REQUIRED' || body?.['error'] === 'use_dpop_nonce';
}

/** Whether the server refused the access token itself (so a refresh may help). */
export async function isAccessTokenRejected(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  if (wwwAuthenticateError(response) === 'invalid_token') return true;
  const body = await bodyOf(response);
  return body?.['code'] === 'AUTH_REQUIRED';
}
