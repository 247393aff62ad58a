/**
 * @module modules/federation/service
 *
 * The federation operations the routes call, one per route, each ending where it should: a
 * sign-in in the sessions module's `issueSession`, a link in `links.ts`. Failures of provider
 * verification are audited here with a reason code (never a token, email or name) before the
 * error goes back to the caller. Nothing here knows about HTTP.
 */
import type { FederatedSignInResponse, LinkedIdentity } from '@portcullis/protocol';
import { AppError } from '../../platform/errors/app-error.ts';
import type { IssueSessionInput } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import { failureReasonOf } from './failure-reason.ts';
import type { VerifiedIdentity } from './identity/verified-identity.ts';
import { linkIdentity, type Caller } from './links.ts';
import { verifyNativeSignIn, type NativeSignInInput } from './native-flow.ts';
import { signInWithIdentity } from './sign-in.ts';
import { redeemExchangeCode } from './web/exchange-codes.ts';

export type { FederationDeps } from './deps.ts';
export type { Caller } from './links.ts';
export { completeWebFlow, startWebFlow, webFlowProviders } from './web-flow.ts';
export { listLinkedIdentities, unlinkIdentity } from './links.ts';
export { receiveAppleNotification } from './apple/notifications.ts';

/**
 * Runs a provider verification; a refusal (an `AppError`) is audited with its reason, then
 * rethrown. A refused sign-in names no actor (nobody is signed in on those public routes); a
 * refused link is the signed-in caller's, on their own account.
 */
async function verifiedOrAudited<T>(work: () => Promise<T>, audit: (reason: string) => Promise<void>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) await audit(failureReasonOf(error));
    throw error;
  }
}

export interface DeviceSignIn {
  /** Thumbprint of the DPoP key of this token request; the session is bound to it. */
  readonly jkt: string;
  readonly device: IssueSessionInput['device'];
}

/** `POST /v1/federation/sessions`: native ID-token sign-in. */
export async function signInWithIdToken(
  deps: FederationDeps,
  input: NativeSignInInput & DeviceSignIn,
  context: RequestContext,
): Promise<FederatedSignInResponse> {
  const identity = await verifiedOrAudited(
    () => verifyNativeSignIn(deps, input),
    (detail) => context.audit('federation.sign_in_failed', { outcome: 'failure', actor: null, detail }),
  );
  return signInWithIdentity(deps, identity, input, context);
}

/** `POST /v1/federation/sessions/exchange`: redeem the web flow's exchange code for a session. */
export async function signInWithExchangeCode(
  deps: FederationDeps,
  input: { readonly code: string; readonly codeVerifier: string } & DeviceSignIn,
  context: RequestContext,
): Promise<FederatedSignInResponse> {
  const identity = await verifiedOrAudited(
    () => redeemExchangeCode(deps.dataProtection, deps.db, { ...input, now: deps.clock.now() }),
    (detail) => context.audit('federation.sign_in_failed', { outcome: 'failure', actor: null, detail }),
  );
  return signInWithIdentity(deps, identity, input, context);
}

/** `POST /v1/federation/links`: link a native sign-in to the signed-in account. */
export async function linkWithIdToken(
  deps: FederationDeps,
  caller: Caller,
  input: NativeSignInInput,
  context: RequestContext,
): Promise<LinkedIdentity> {
  const identity: VerifiedIdentity = await verifiedOrAudited(
    () => verifyNativeSignIn(deps, input),
    (detail) => context.audit('federation.link_refused', { outcome: 'failure', subject: caller.accountId, detail }),
  );
  return linkIdentity(deps, caller, identity, context);
}

/** `POST /v1/federation/links/exchange`: link the result of a web flow to the signed-in account. */
export async function linkWithExchangeCode(
  deps: FederationDeps,
  caller: Caller,
  input: { readonly code: string; readonly codeVerifier: string },
  context: RequestContext,
): Promise<LinkedIdentity> {
  const identity = await verifiedOrAudited(
    () => redeemExchangeCode(deps.dataProtection, deps.db, { ...input, jkt: undefined, now: deps.clock.now() }),
    (detail) => context.audit('federation.link_refused', { outcome: 'failure', subject: caller.accountId, detail }),
  );
  return linkIdentity(deps, caller, identity, context);
}
