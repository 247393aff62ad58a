/**
 * @module platform/routes/insufficient-authentication
 *
 * The RFC 9470 (OAuth 2.0 Step Up Authentication Challenge) `WWW-Authenticate` value: how a
 * resource tells a client that the caller's authentication is too weak or too old. Both
 * refusals that say so build it here — a session below the level needed
 * (`levelInsufficient`: the route contract in authentication.ts, and a service that finds the
 * session too weak for what it is asked, such as adding a second factor) and a route's
 * step-up (step-up.ts, `STEP_UP_REQUIRED`) — so clients parse one format.
 */
import { ERRORS } from '@portcullis/protocol';
import { appError, type AppError, type AssuranceShortfall } from '../errors/app-error.ts';
import type { StepUpLevel } from './contract.ts';

export interface InsufficientAuthentication {
  /** The assurance level to reach, sent as `acr_values`. */
  readonly level: StepUpLevel;
  /** How recent the authentication must be (seconds), sent as `max_age` when the route declares one. */
  readonly maxAgeSeconds?: number | undefined;
  /** Public, constant text (RFC 6750 section 3: no `"` or `\`, printable ASCII only). */
  readonly description: string;
}

/** RFC 6750 section 3: `error_description` characters are %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION_CHARACTERS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * `DPoP error="insufficient_user_authentication", error_description="…", acr_values="aal2"`,
 * followed by `, max_age=N` when a maximum age is given (RFC 9470 section 3).
 *
 * @throws {TypeError} when the description is not a valid `error_description` (a programming error).
 */
export function insufficientAuthenticationChallenge(requirement: InsufficientAuthentication): string {
  if (!DESCRIPTION_CHARACTERS.test(requirement.description))
    throw new TypeError('error_description must be printable ASCII without quotes');
  const parameters = [
    'error="insufficient_user_authentication"',
    `error_description="${requirement.description}"`,
    `acr_values="${requirement.level}"`,
  ];
  if (requirement.maxAgeSeconds !== undefined) parameters.push(`max_age=${requirement.maxAgeSeconds}`);
  return `DPoP ${parameters.join(', ')}`;
}

/**
 * `401 AUTH_LEVEL_INSUFFICIENT` for a session below the level needed: the RFC 9470 challenge in
 * `WWW-Authenticate` (with `max_age` when a recent sign-in is asked for too) and, in the body,
 * the level to reach, the session's level and the kinds of factor that reach it (`shortfall`,
 * from the app's `AssuranceAdvisor`). One answer wherever the refusal is decided.
 */
export function levelInsufficient(
  shortfall: AssuranceShortfall,
  options: { readonly maxAgeSeconds?: number | undefined; readonly detail?: string } = {},
): AppError {
  const challenge = insufficientAuthenticationChallenge({
    level: shortfall.requiredLevel,
    maxAgeSeconds: options.maxAgeSeconds,
    description: ERRORS.AUTH_LEVEL_INSUFFICIENT.message,
  });
  return appError('AUTH_LEVEL_INSUFFICIENT', {
    detail: options.detail ?? `session level ${shortfall.currentLevel} below ${shortfall.requiredLevel}`,
    headers: { 'www-authenticate': challenge },
    shortfall,
  });
}
