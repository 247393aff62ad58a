/**
 * @module lib/wire-constants
 *
 * The few run-time values of the wire contract the SDK needs: header names, the PKCE method and
 * the ways a challenge can be answered. They are written here rather than imported because the
 * protocol module that holds each of them also builds its TypeBox schemas when it loads, which
 * would put the whole schema runtime (about 77 KB) into every app. Each constant is typed
 * against `@portcullis/protocol`, so a change there fails to compile here instead of drifting.
 * Internal.
 */
import type {
  ACCOUNT_EXPORT_SCHEMA_ID as PROTOCOL_ACCOUNT_EXPORT_SCHEMA_ID,
  AuthChallengeMethod,
  DPOP_HEADER as PROTOCOL_DPOP_HEADER,
  DPOP_NONCE_HEADER as PROTOCOL_DPOP_NONCE_HEADER,
  FEDERATION_CODE_CHALLENGE_METHOD as PROTOCOL_FEDERATION_CODE_CHALLENGE_METHOD,
  FEDERATION_RETURN_PARAMS as PROTOCOL_FEDERATION_RETURN_PARAMS,
  STEP_UP_HEADER as PROTOCOL_STEP_UP_HEADER,
} from '@portcullis/protocol';

export const DPOP_HEADER: typeof PROTOCOL_DPOP_HEADER = 'dpop';
export const DPOP_NONCE_HEADER: typeof PROTOCOL_DPOP_NONCE_HEADER = 'dpop-nonce';
export const STEP_UP_HEADER: typeof PROTOCOL_STEP_UP_HEADER = 'portcullis-step-up';
export const FEDERATION_CODE_CHALLENGE_METHOD: typeof PROTOCOL_FEDERATION_CODE_CHALLENGE_METHOD = 'S256';
/** `$schema` of an account export document. */
export const ACCOUNT_EXPORT_SCHEMA_ID: typeof PROTOCOL_ACCOUNT_EXPORT_SCHEMA_ID =
  'https://portcullis.dev/schemas/account-export.schema.json';
export const FEDERATION_RETURN_PARAMS: typeof PROTOCOL_FEDERATION_RETURN_PARAMS = { code: 'code', error: 'error' };

/** Every way a challenge can be answered (complete by `satisfies`, as in the protocol). */
const CHALLENGE_METHODS = { totp: true, recovery_code: true, passkey: true, email_code: true, sms_code: true } satisfies Record<
  AuthChallengeMethod,
  true
>;

export function isAuthChallengeMethod(value: unknown): value is AuthChallengeMethod {
  return typeof value === 'string' && Object.hasOwn(CHALLENGE_METHODS, value);
}
