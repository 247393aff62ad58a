/**
 * @module step-up/is-step-up-required
 *
 * Step-up re-authentication from the client's side. A route that needs a fresh authentication
 * answers `401 STEP_UP_REQUIRED` with a challenge; the person answers it (a code or a passkey)
 * and the client repeats the very same request with the challenge token in the
 * `Portcullis-Step-Up` header. `PortcullisClient.fetchWithStepUp` does all of that around one
 * request; this module holds the types and the type guard.
 */
import type { AuthChallenge } from '@portcullis/protocol';
import { isApiError, type ApiError } from '../errors.ts';
import type { PasskeyAuthenticator } from '../passkeys/passkey-authenticator.ts';

/** How the person answers a step-up challenge: one of the challenge's `methods`. */
export type StepUpAnswer =
  | { readonly method: 'totp' | 'recovery_code'; readonly code: string }
  | { readonly method: 'passkey'; readonly authenticator: PasskeyAuthenticator };

/**
 * Asks the person to answer `challenge` (show `challenge.methods`; `level: 'aal2_phr'` means a
 * passkey). Resolve with the answer, or with `null` when the person cancels.
 */
export type StepUpPrompt = (challenge: AuthChallenge) => Promise<StepUpAnswer | null>;

/**
 * Whether an action answered "confirm it is you first". Narrows to an error whose `challenge` is set.
 *
 * @example
 *   if (isStepUpRequired(error)) await client.verifyStepUp(error.challenge.token, { method: 'totp', code });
 */
export function isStepUpRequired(
  error: unknown,
): error is ApiError & { readonly code: 'STEP_UP_REQUIRED'; readonly challenge: AuthChallenge } {
  return isApiError(error, 'STEP_UP_REQUIRED') && error.challenge !== undefined;
}
