/**
 * @module modules/passkeys/assertion
 *
 * Verifies one WebAuthn assertion (WebAuthn L3 §7.2) against a challenge the caller has already
 * spent: the steps every passkey authentication shares, whether it signs someone in or confirms
 * a step-up. In order:
 *
 * | step | check | failure reason |
 * | --- | --- | --- |
 * | 1 | the credential is registered (and, when the caller names one, belongs to that account) | `unknown_credential` |
 * | 2 | the credential is not suspended, the account is active | `credential_suspended`, `account_locked` |
 * | 3 | the user handle, if returned, is the credential's | `user_handle_mismatch` |
 * | 4 | type, challenge, origin, RP id hash, UP, UV and signature (@simplewebauthn/server) | see verification-failure.ts |
 * | 5 | the signature counter moved forward (atomic with the update) | `counter_regression`: the credential is suspended and `passkey.clone_detected` audited |
 *
 * A verified use is recorded and audited as `passkey.authenticated` in one transaction. Failures
 * are returned, not thrown or audited (except a clone), so each caller answers and audits them
 * in its own terms; none of them says more than "not verified" to the client.
 */
import type { VerifiedAuthenticationResponse } from '@simplewebauthn/server';
import type { AuthenticationCredential } from '@portcullis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { Database, PasskeyCredentialsTable } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { userHandleMatches } from './checks/check-user-handle.ts';
import type { RelyingParty } from './relying-party.ts';
import * as repo from './repository.ts';
import { verificationFailureReason } from './verification-failure.ts';
import { loadWebAuthn } from './webauthn.ts';

/** What assertion verification needs: a subset of `PasskeysDeps`. */
export interface AssertionDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly relyingParty: RelyingParty;
}

export interface AssertionInput {
  readonly response: AuthenticationCredential;
  /** The challenge (base64url) the caller issued and has already spent. */
  readonly expectedChallenge: string;
  /** When set, only a credential of this account is accepted (step-up); sign-in leaves it unset. */
  readonly accountId?: string;
}

export type AssertionResult =
  | { readonly ok: true; readonly accountId: string }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The credential's account, once the credential is known. */
      readonly accountId?: string;
      /** A cloned authenticator was detected: the credential is now suspended and the event audited. */
      readonly cloneDetected?: boolean;
    };

async function verifySignature(
  rp: RelyingParty,
  response: AuthenticationCredential,
  challenge: string,
  credential: PasskeyCredentialsTable,
): Promise<VerifiedAuthenticationResponse> {
  const { server, helpers } = await loadWebAuthn();
  return server.verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: [...rp.origins],
    expectedRPID: rp.id,
    requireUserVerification: true,
    // Counter 0 turns off the library's counter check, which runs before the signature is
    // verified; ours (step 5) runs after it, so an unsigned response cannot suspend a passkey.
    credential: { id: credential.credential_id, publicKey: helpers.isoBase64URL.toBuffer(credential.public_key), counter: 0 },
  });
}

/** A cloned authenticator (WebAuthn L3 §6.1.1): the credential is suspended and the event audited. */
async function suspendCloned(deps: AssertionDeps, credential: PasskeyCredentialsTable, context: RequestContext): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    await repo.suspendCredential(tx, { id: credential.id, now: deps.clock.now(), reason: 'counter_regression' });
    await context.audit(
      'passkey.clone_detected',
      { outcome: 'failure', actor: credential.account_id, subject: credential.account_id, detail: 'counter_regression' },
      tx,
    );
  });
}

export async function verifyAssertion(deps: AssertionDeps, input: AssertionInput, context: RequestContext): Promise<AssertionResult> {
  const { response } = input;
  const found = await repo.findCredentialForSignIn(deps.db, response.id);
  // Another account's credential is as unknown to a step-up as an unregistered one.
  if (!found || (input.accountId !== undefined && found.credential.account_id !== input.accountId)) {
    return { ok: false, reason: 'unknown_credential' };
  }
  const { credential, account } = found;
  const fail = (reason: string): AssertionResult => ({ ok: false, reason, accountId: credential.account_id });
  if (credential.suspended_at !== null) return fail('credential_suspended');
  if (account.status !== 'active') return fail('account_locked');
  if (!userHandleMatches(response.response.userHandle, credential.user_handle)) return fail('user_handle_mismatch');

  let verified: VerifiedAuthenticationResponse;
  try {
    verified = await verifySignature(deps.relyingParty, response, input.expectedChallenge, credential);
  } catch (error) {
    return fail(verificationFailureReason(error));
  }
  if (!verified.verified) return fail('signature_invalid');

  const { newCounter, credentialBackedUp } = verified.authenticationInfo;
  const recorded = await withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    if (!(await repo.recordUse(tx, { id: credential.id, signCount: newCounter, backedUp: credentialBackedUp, now }))) return false;
    await context.audit('passkey.authenticated', { actor: credential.account_id, subject: credential.account_id }, tx);
    return true;
  });
  if (!recorded) {
    await suspendCloned(deps, credential, context);
    return { ok: false, reason: 'counter_regression', accountId: credential.account_id, cloneDetected: true };
  }
  return { ok: true, accountId: credential.account_id };
}
