/**
 * @module errors
 *
 * The two error types the SDK throws for expected outcomes, so callers can branch on a stable
 * `code` instead of parsing messages (ARCHITECTURE.md "Error model", point 7):
 *
 * - {@link ApiError}: the server answered with an RFC 9457 problem whose `code` is in the shared
 *   registry of `@portcullis/protocol`. `switch (error.code)` narrows over `ErrorCode`.
 * - {@link ClientError}: the failure happened on this side, or the answer could not be
 *   understood; `code` is a {@link ClientErrorCode}.
 *
 * Misuse of the SDK (bad options, wrong argument types) throws `TypeError` and is never wrapped.
 * Messages never contain tokens, passwords, codes or proofs.
 */
import type { AuthChallenge, ErrorCode, ValidationIssue } from '@portcullis/protocol';

/** Codes of failures detected by the SDK itself rather than reported by the server. */
export const CLIENT_ERROR_CODES = Object.freeze([
  /** The request did not reach the server or no answer came back (offline, DNS, TLS, CORS, reset). */
  'NETWORK_ERROR',
  /** The server answered something that is not the documented response or problem body. */
  'INVALID_RESPONSE',
  /** The call needs a session and there is none (never signed in, signed out, or the refresh token expired). */
  'NOT_SIGNED_IN',
  /** The DPoP key cannot be created, loaded or used (no WebCrypto, key store failed, or the key is gone). */
  'DPOP_KEY_UNAVAILABLE',
] as const);

/** A failure detected by the SDK; see {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** What an {@link ApiError} is built from: a problem body plus the HTTP status it came with. */
export interface ApiErrorInit {
  readonly code: ErrorCode;
  readonly status: number;
  readonly requestId: string;
  /** Public title from the problem body; defaults to `code`. */
  readonly title?: string | undefined;
  /** Public detail from the problem body. */
  readonly detail?: string | undefined;
  /** Per-field violations (`REQUEST_INVALID`, `PASSWORD_POLICY_VIOLATION`). */
  readonly issues?: readonly ValidationIssue[] | undefined;
  /** Header value of `Retry-After` in seconds, when the server sent one (`RATE_LIMITED`, 503s). */
  readonly retryAfterSeconds?: number | undefined;
  /** How to authenticate further, for `MFA_REQUIRED` (and other problems that carry a challenge). */
  readonly challenge?: AuthChallenge | undefined;
}

/**
 * The server refused the request with a documented error code.
 *
 * @example
 *   try {
 *     await client.signIn({ email, password, device });
 *   } catch (error) {
 *     if (isApiError(error, 'AUTH_EMAIL_NOT_VERIFIED')) showVerifyEmail();
 *     else if (isApiError(error, 'AUTH_INVALID_CREDENTIALS')) showWrongPassword();
 *     else throw error;
 *   }
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** Stable code from the shared registry (`docs/errors.md`). */
  readonly code: ErrorCode;
  /** HTTP status of the response. */
  readonly status: number;
  /** Server request id: quote it when reporting a problem; the operator finds the cause by it. */
  readonly requestId: string;
  /** Public detail the server chose to add, if any. */
  readonly detail: string | undefined;
  /** Per-field violations, for `REQUEST_INVALID` and `PASSWORD_POLICY_VIOLATION`. */
  readonly issues: readonly ValidationIssue[] | undefined;
  /** Seconds to wait before retrying, from `Retry-After`, when the server sent it. */
  readonly retryAfterSeconds: number | undefined;
  /** The server's challenge: for `MFA_REQUIRED`, answer it with `client.completeSignIn`. */
  readonly challenge: AuthChallenge | undefined;

  constructor(init: ApiErrorInit) {
    super(init.title ?? init.code);
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.detail = init.detail;
    this.issues = init.issues === undefined ? undefined : Object.freeze([...init.issues]);
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.challenge = init.challenge;
  }
}

/** Options of {@link ClientError}. */
export interface ClientErrorOptions {
  /** The underlying platform error (fetch `TypeError`, WebCrypto `DOMException`, …). */
  readonly cause?: unknown;
  /** HTTP status, when the failure is an unexpected answer (`INVALID_RESPONSE`). */
  readonly status?: number | undefined;
}

/**
 * A failure detected on the client side, or an answer the SDK could not understand.
 *
 * @example
 *   try {
 *     await client.getAccount();
 *   } catch (error) {
 *     if (isClientError(error, 'NOT_SIGNED_IN')) return redirectToSignIn();
 *     if (isClientError(error, 'NETWORK_ERROR')) return showOffline();
 *     throw error;
 *   }
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;
  /** HTTP status of an unexpected answer, when there was one. */
  readonly status: number | undefined;

  constructor(code: ClientErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.status = options.status;
  }
}

/**
 * Whether `error` is an {@link ApiError}, optionally with a given code. Narrows `error.code`.
 *
 * @param error Anything caught.
 * @param code When given, also require this code.
 * @example
 *   if (isApiError(error, 'RATE_LIMITED')) retryIn(error.retryAfterSeconds ?? 60);
 */
export function isApiError<C extends ErrorCode = ErrorCode>(error: unknown, code?: C): error is ApiError & { readonly code: C } {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/**
 * Whether `error` is a {@link ClientError}, optionally with a given code. Narrows `error.code`.
 *
 * @param error Anything caught.
 * @param code When given, also require this code.
 * @example
 *   if (isClientError(error, 'NETWORK_ERROR')) showOffline();
 */
export function isClientError<C extends ClientErrorCode = ClientErrorCode>(
  error: unknown,
  code?: C,
): error is ClientError & { readonly code: C } {
  return error instanceof ClientError && (code === undefined || error.code === code);
}

/**
 * Whether a sign-in answered "second factor needed". Narrows to an error whose `challenge` is set.
 *
 * @example
 *   try {
 *     await client.signIn({ email, password, device });
 *   } catch (error) {
 *     if (!isMfaRequired(error)) throw error;
 *     if (error.challenge.methods.includes('totp')) {
 *       await client.completeSignIn({ challenge: error.challenge.token, method: 'totp', code: await askForCode() });
 *     }
 *   }
 */
export function isMfaRequired(error: unknown): error is ApiError & { readonly code: 'MFA_REQUIRED'; readonly challenge: AuthChallenge } {
  return isApiError(error, 'MFA_REQUIRED') && error.challenge !== undefined;
}
