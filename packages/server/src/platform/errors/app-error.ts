/**
 * @module platform/errors/app-error
 *
 * `AppError` is the only error an expected outcome may raise (bad code, expired session, missing
 * permission). Its public message comes from the protocol registry; `detail` is for logs and
 * never reaches the client. Misuse of internal APIs throws `TypeError` instead and becomes a 500.
 */
import {
  ERRORS,
  type AuthChallenge,
  type AuthFactorKind,
  type ErrorCode,
  type ErrorDefinition,
  type ValidationIssue,
} from '@portcullis/protocol';

/** What a session lacks for a route (`AUTH_LEVEL_INSUFFICIENT`), sent to the client. */
export interface AssuranceShortfall {
  /** The level this caller must reach. */
  readonly requiredLevel: 'aal2' | 'aal2_phr';
  /** The level of the session used. */
  readonly currentLevel: 'aal1' | 'aal2' | 'aal2_phr';
  /** Kinds of factor that reach `requiredLevel` for this caller in this deployment. */
  readonly methods: readonly AuthFactorKind[];
}

export interface AppErrorOptions {
  /** Internal explanation for logs and audit; never sent to the client, never a secret. */
  readonly detail?: string;
  /**
   * A public explanation sent as the problem's `detail`: only facts the client may know (such as
   * this server's public URL), never the request's input, a secret or personal data.
   */
  readonly publicDetail?: string;
  /** Field-level problems, sent to the client (REQUEST_INVALID). */
  readonly issues?: readonly ValidationIssue[];
  /** Extra response headers such as `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How to answer a request for more authentication (`MFA_REQUIRED`), sent to the client. */
  readonly challenge?: AuthChallenge;
  /** Which level is needed and how to reach it (`AUTH_LEVEL_INSUFFICIENT`), sent to the client. */
  readonly shortfall?: AssuranceShortfall;
  /** The conversation's current epoch (`EPOCH_CONFLICT`), sent to the client. */
  readonly currentEpoch?: number;
  readonly cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  /** Whether the public message may be sent; 5xx are always replaced by INTERNAL_ERROR. */
  readonly expose: boolean;
  readonly detail: string | undefined;
  readonly publicDetail: string | undefined;
  readonly issues: readonly ValidationIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly challenge: AuthChallenge | undefined;
  readonly shortfall: AssuranceShortfall | undefined;
  readonly currentEpoch: number | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const definition: ErrorDefinition = ERRORS[code];
    super(definition.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = definition.status;
    this.expose = definition.expose ?? definition.status < 500;
    this.detail = options.detail;
    this.publicDetail = options.publicDetail;
    this.issues = options.issues;
    this.headers = options.headers ?? {};
    this.challenge = options.challenge;
    this.shortfall = options.shortfall;
    this.currentEpoch = options.currentEpoch;
  }
}

/** `throw appError('MFA_CODE_INVALID', { detail: 'counter drift 3' })` */
export function appError(code: ErrorCode, options?: AppErrorOptions): AppError {
  return new AppError(code, options);
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The `Retry-After` header for a wait of `ms` milliseconds: whole seconds, at least one. */
export function retryAfterHeader(ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}
