/**
 * @module modules/federation/service
 *
 * The federation operations the routes call, one per route, each ending where it should: a
 * sign-in in the sessions module's `issueSession`, a link in `links.ts`. Failures of provider
 * verification are audited here with a reason code (never a token, email or name) before the
 * error goes back to the caller. Nothing here knows about HTTP.
 */
import type { FederatedSignInResponse, LinkedIdentity } from '@portcullis/protocol';
import { writeAuditEvent } from '../../platform/audit/audit.ts';
import { AppError } from '../../platform/errors/app-error.ts';
import type { IssueSessionInput } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FederationDeps } from './deps.ts';
import { tokenFailureOf } from './identity/verify-id-token.ts';
import type { VerifiedIdentity } from './identity/verified-identity.ts';
import { linkIdentity, type Caller } from './links.ts';
import { verifyNativeSignIn, type NativeSignInInput } from './native-flow.ts';
import { auditSignInFailure, signInWithIdentity } from './sign-in.ts';
import { redeemExchangeCode } from './web/exchange-codes.ts';

export type { FederationDeps } from './deps.ts';
export { completeWebFlow, startWebFlow } from './web-flow.ts';
export { listLinkedIdentities, unlinkIdentity } from './links.ts';
export { receiveAppleNotification } from './apple/notifications.ts';

/** The audit reason for a failed verification: `token_<why>` or the error code in lower case. */
function failureReason(error: unknown): string | undefined {
  if (!(error instanceof AppError)) return undefined;
  return error.code === 'FEDERATION_TOKEN_INVALID' ? `token_${tokenFailureOf(error)}` : error.code.toLowerCase();
}

async function verifiedOrAudited<T>(work: () => Promise<T>, audit: (reason: string) => Promise<void>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = failureReason(error);
    if (reason !== undefined) await audit(reason);
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
    (reason) => auditSignInFailure(deps, reason, context),
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
    () => redeemExchangeCode(deps.db, { ...input, now: deps.clock.now() }),
    (reason) => auditSignInFailure(deps, reason, context),
  );
  return signInWithIdentity(deps, identity, input, context);
}

async function auditLinkFailure(deps: FederationDeps, caller: Caller, reason: string, context: RequestContext): Promise<void> {
  await writeAuditEvent(deps.db, deps.clock, {
    action: 'federation.link_refused',
    outcome: 'failure',
    actorId: caller.accountId,
    subjectId: caller.accountId,
    sessionId: caller.sessionId,
    ...context,
    reason,
  });
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
    (reason) => auditLinkFailure(deps, caller, reason, context),
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
    () => redeemExchangeCode(deps.db, { ...input, jkt: undefined, now: deps.clock.now() }),
    (reason) => auditLinkFailure(deps, caller, reason, context),
  );
  return linkIdentity(deps, caller, identity, context);
}
