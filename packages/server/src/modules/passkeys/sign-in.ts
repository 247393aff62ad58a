/**
 * @module modules/passkeys/sign-in
 *
 * Sign-in with a discoverable passkey (WebAuthn L3 §7.2), no username. The steps, in order:
 *
 * | step | check | on failure |
 * | --- | --- | --- |
 * | 1 | clientDataJSON carries a challenge | PASSKEY_SIGN_IN_FAILED `malformed` |
 * | 2 | the challenge is ours, unused, unexpired, for sign-in — and is spent now | PASSKEY_CHALLENGE_INVALID |
 * | 3 | the credential is registered | PASSKEY_SIGN_IN_FAILED `unknown_credential` |
 * | 4 | the credential is not suspended, the account is active | PASSKEY_SIGN_IN_FAILED |
 * | 5 | the user handle, if returned, is the credential's | PASSKEY_SIGN_IN_FAILED |
 * | 6 | type, origin, RP id hash, UP, UV and signature (@simplewebauthn/server) | PASSKEY_SIGN_IN_FAILED |
 * | 7 | the signature counter moved forward (atomic with the update) | suspend the credential, audit `passkey.clone_detected` |
 * | 8 | record the use, then mint the session through `issueSession` (aal2_phr) | — |
 *
 * Steps 3–7 are `verifyAssertion` (assertion.ts), shared with step-up. They answer the same
 * code, so a response cannot tell an unknown credential from a bad signature. The DPoP proof
 * is checked by the route before step 1, so a nonce retry does not spend the challenge.
 */
import type { AuthenticationCredential, Device, PasskeyRequestOptions, TokenResponse } from '@portcullis/protocol';
import { appError, type AppError } from '../../platform/errors/app-error.ts';
import { issueSession } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { consumeChallenge, issueChallenge } from './challenges.ts';
import { verifyAssertion } from './assertion.ts';
import { readChallenge } from './client-data.ts';
import { challengeDepsOf, type PasskeysDeps } from './deps.ts';
import { loadWebAuthn } from './webauthn.ts';

/**
 * RFC 8176: `hwk` (proof of possession of a hardware-protected key) and `user` (user presence
 * test); with user verification a passkey is phishing-resistant multi-factor (NIST SP 800-63B
 * AAL2 phishing-resistant).
 */
const PASSKEY_AMR: readonly string[] = ['hwk', 'user'];

export interface PasskeySignIn {
  readonly credential: AuthenticationCredential;
  readonly device: Device;
  /** Thumbprint of the DPoP key that signed this request: the new session is bound to it. */
  readonly jkt: string;
}

export async function startSignIn(deps: PasskeysDeps): Promise<PasskeyRequestOptions> {
  const { server, helpers } = await loadWebAuthn();
  const challenge = await issueChallenge(challengeDepsOf(deps), 'authentication', null);
  // No allowCredentials: the authenticator offers the passkeys it holds for this RP id.
  const options = await server.generateAuthenticationOptions({
    rpID: deps.relyingParty.id,
    challenge: helpers.isoBase64URL.toBuffer(challenge),
    timeout: deps.relyingParty.challengeTtlMs,
    userVerification: 'required',
  });
  return options as PasskeyRequestOptions;
}

async function refuse(
  context: RequestContext,
  failure: { code: 'PASSKEY_CHALLENGE_INVALID' | 'PASSKEY_SIGN_IN_FAILED'; reason: string; accountId?: string },
): Promise<AppError> {
  // A public route: nobody is signed in, so the account (once the credential names one) is the actor.
  const accountId = failure.accountId ?? null;
  await context.audit('passkey.sign_in_failed', { outcome: 'failure', actor: accountId, subject: accountId, detail: failure.reason });
  return appError(failure.code, { detail: `passkey sign-in refused: ${failure.reason}` });
}

export async function finishSignIn(deps: PasskeysDeps, input: PasskeySignIn, context: RequestContext): Promise<TokenResponse> {
  const { credential: response } = input;
  const challenge = await readChallenge(response.response.clientDataJSON);
  if (challenge === undefined) throw await refuse(context, { code: 'PASSKEY_SIGN_IN_FAILED', reason: 'malformed' });
  const refusal = await consumeChallenge(challengeDepsOf(deps), challenge, 'authentication', null);
  if (refusal) throw await refuse(context, { code: 'PASSKEY_CHALLENGE_INVALID', reason: `challenge_${refusal}` });

  const verified = await verifyAssertion(deps, { response, expectedChallenge: challenge }, context);
  if (!verified.ok) {
    // A clone is already audited (and the credential suspended) as `passkey.clone_detected`.
    if (verified.cloneDetected === true)
      throw appError('PASSKEY_SIGN_IN_FAILED', { detail: 'passkey sign-in refused: counter_regression' });
    throw await refuse(context, {
      code: 'PASSKEY_SIGN_IN_FAILED',
      reason: verified.reason,
      ...(verified.accountId === undefined ? {} : { accountId: verified.accountId }),
    });
  }

  return issueSession(
    deps.sessions,
    { accountId: verified.accountId, aal: 'aal2_phr', amr: PASSKEY_AMR, jkt: input.jkt, device: input.device },
    context,
  );
}
