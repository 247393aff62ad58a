/**
 * @module insufficient-authentication
 *
 * "This needs a stronger sign-in" (RFC 9470). A route that requires a higher assurance level
 * than the session has (an administrator who signed in with a password, where a passkey is
 * required) answers `401` with
 * `WWW-Authenticate: DPoP error="insufficient_user_authentication", acr_values="aal2_phr", max_age=300`
 * and the problem code `AUTH_LEVEL_INSUFFICIENT`, whose body adds `requiredLevel`, `currentLevel`
 * and `methods`. This module turns that answer into an {@link InsufficientAuthenticationError}
 * that names the factors that would do. The header alone is enough when the body is missing or
 * is not JSON (a proxy may strip it); the body, when present, is more precise about `methods`.
 * A session cannot be raised in place: the person signs in again with one of `methods` (or, for
 * a single action, answers a step-up).
 */
import type { AuthFactorKind, ErrorCode, Problem } from '@portcullis/protocol';
import { ApiError } from './errors.ts';
import { isRecord } from './http/read-json.ts';
import { wwwAuthenticateParams } from './http/www-authenticate.ts';

/** The assurance levels a route can require: a second factor, or a phishing-resistant one (a passkey). */
export type AssuranceLevel = NonNullable<Problem['requiredLevel']>;

/** The kinds of factor a person can use to reach a level. */
export type FactorKind = AuthFactorKind;

/** Every kind, strongest first, as the protocol lists them (complete by `satisfies`). */
const FACTOR_KINDS = Object.keys({ passkey: true, totp: true, sms: true, email: true, recovery_code: true } satisfies Record<
  FactorKind,
  true
>) as FactorKind[];

/** What reaches each level when the server did not say (the header-only form): only a passkey is phishing-resistant. */
const FACTORS_FOR_LEVEL: Readonly<Record<AssuranceLevel, readonly FactorKind[]>> = {
  aal2: FACTOR_KINDS,
  aal2_phr: ['passkey'],
};

const RFC_9470_ERROR = 'insufficient_user_authentication';

/** The problem code that goes with the RFC 9470 challenge. */
const AUTH_LEVEL_INSUFFICIENT = 'AUTH_LEVEL_INSUFFICIENT' satisfies ErrorCode;

/** An RFC 9470 refusal: the session's level is below the route's. */
export class InsufficientAuthenticationError extends ApiError {
  /** The level the route needs. */
  readonly requiredLevel: AssuranceLevel;
  /** The session's level (`aal1`, `aal2`), when the server said. */
  readonly currentLevel: string | undefined;
  /** The factor kinds that reach `requiredLevel`: offer these; `['passkey']` for `aal2_phr`. */
  readonly methods: readonly FactorKind[];
  /** How recent the authentication must be, in seconds (`max_age`), when the route bounds it. */
  readonly maxAge: number | undefined;

  constructor(init: {
    readonly status: number;
    readonly requestId: string;
    readonly detail: string | undefined;
    readonly requiredLevel: AssuranceLevel;
    readonly currentLevel: string | undefined;
    readonly methods: readonly FactorKind[];
    readonly maxAge: number | undefined;
  }) {
    super({
      code: AUTH_LEVEL_INSUFFICIENT,
      status: init.status,
      requestId: init.requestId,
      title: `This needs a stronger sign-in (${init.requiredLevel}): use ${init.methods.join(' or ')}`,
      detail: init.detail,
    });
    this.requiredLevel = init.requiredLevel;
    this.currentLevel = init.currentLevel;
    this.methods = Object.freeze([...init.methods]);
    this.maxAge = init.maxAge;
  }
}

/**
 * Whether `error` says the session's assurance level is too low for the request. Narrows to an
 * error with `requiredLevel`, `currentLevel`, `methods` and `maxAge`.
 *
 * @example
 *   try {
 *     await listAccounts(client);
 *   } catch (error) {
 *     if (!isInsufficientAuthentication(error)) throw error;
 *     if (error.methods.includes('passkey')) showMessage('Sign in with your passkey to use the admin pages');
 *   }
 */
export function isInsufficientAuthentication(error: unknown): error is InsufficientAuthenticationError {
  return error instanceof InsufficientAuthenticationError;
}

function levelOf(value: unknown): AssuranceLevel | undefined {
  return value === 'aal2' || value === 'aal2_phr' ? value : undefined;
}

/** The first level of a space-separated `acr_values` this SDK knows. */
function levelOfAcrValues(value: string | undefined): AssuranceLevel | undefined {
  return value
    ?.split(' ')
    .map(levelOf)
    .find((level) => level !== undefined);
}

function methodsOf(value: unknown): FactorKind[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const methods = FACTOR_KINDS.filter((kind) => value.includes(kind));
  return methods.length > 0 ? methods : undefined;
}

const stringOr = (value: unknown, fallback: string | undefined): string | undefined => (typeof value === 'string' ? value : fallback);

/**
 * The {@link InsufficientAuthenticationError} a `401` stands for, or `undefined` when it is
 * another answer. `body` is the parsed body (anything, when there is none).
 */
export function insufficientAuthenticationOf(response: Response, body: unknown): InsufficientAuthenticationError | undefined {
  if (response.status !== 401) return undefined;
  const code = isRecord(body) ? body['code'] : undefined;
  // Another problem wins: `STEP_UP_REQUIRED` comes with the same RFC 9470 header, and its challenge is answered in place.
  if (code !== undefined && code !== AUTH_LEVEL_INSUFFICIENT) return undefined;
  const problem = isRecord(body) && code === AUTH_LEVEL_INSUFFICIENT ? body : undefined;
  const params = wwwAuthenticateParams(response);
  if (params.get('error') !== RFC_9470_ERROR && problem === undefined) return undefined;
  const requiredLevel = levelOf(problem?.['requiredLevel']) ?? levelOfAcrValues(params.get('acr_values'));
  if (requiredLevel === undefined) return undefined;
  const maxAge = params.get('max_age');
  return new InsufficientAuthenticationError({
    status: response.status,
    requestId: stringOr(problem?.['requestId'], '') ?? '',
    detail: stringOr(problem?.['detail'], params.get('error_description')),
    requiredLevel,
    currentLevel: stringOr(problem?.['currentLevel'], undefined),
    methods: methodsOf(problem?.['methods']) ?? FACTORS_FOR_LEVEL[requiredLevel],
    maxAge: maxAge !== undefined && /^\d{1,9}$/.test(maxAge) ? Number(maxAge) : undefined,
  });
}
