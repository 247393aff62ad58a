/**
 * @module modules/introspection/service
 *
 * Token introspection (RFC 7662 section 2.2) for the app team's own services. The token is
 * checked by the sessions module's own `authenticateAccessToken` — the only place tokens are
 * checked — so a refresh token, an expired or revoked one, one of a suspended account, or
 * garbage are all simply `{ active: false }`, never saying why (section 2.2: "the authorization
 * server SHOULD NOT include any additional information about an inactive token"). An active
 * answer carries what a resource server needs to check the DPoP binding itself (RFC 9449 section
 * 6.2, `cnf.jkt`) and to authorize: subject, session, assurance (`acr`), methods (`amr`), roles.
 * Every call is audited with the calling service as actor.
 */
import type { IntrospectionResponse } from '@portcullis/protocol';
import { authenticateAccessToken, bearerClientOf, type SessionsDeps } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';

export interface IntrospectionDeps {
  readonly sessions: SessionsDeps;
}

export interface IntrospectionInput {
  /** The token as the service received it (`Authorization: DPoP <token>`). */
  readonly token: string;
  /** The authenticated calling service. */
  readonly clientId: string;
}

const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

/** Seconds since the epoch, as RFC 7662 (and RFC 7519 NumericDate) state times. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

async function activeToken(deps: IntrospectionDeps, token: string): Promise<IntrospectionResponse | undefined> {
  const found = await authenticateAccessToken(deps.sessions, token);
  if (!found) return undefined;
  const times = found.token;
  return {
    active: true,
    sub: found.session.account_id,
    sid: found.session.id,
    exp: seconds(times.expiresAt),
    iat: seconds(times.createdAt),
    // A bearer client's token has no key to confirm; resource servers that require DPoP refuse it.
    ...(bearerClientOf(found.session.jkt) === undefined
      ? { token_type: 'DPoP', cnf: { jkt: found.session.jkt } }
      : { token_type: 'Bearer' }),
    acr: found.session.aal,
    amr: JSON.parse(found.session.amr) as string[],
    roles: [...found.roles],
  };
}

/**
 * Answers one introspection request.
 *
 * @example
 *   const answer = await introspectToken(deps, { token, clientId: 'billing' }, requestContext(request));
 *   if (answer.active) answer.cnf?.jkt; // compare with the DPoP proof's key thumbprint
 */
export async function introspectToken(
  deps: IntrospectionDeps,
  input: IntrospectionInput,
  context: RequestContext,
): Promise<IntrospectionResponse> {
  const answer = (await activeToken(deps, input.token)) ?? INACTIVE;
  await context.audit('introspection.performed', {
    actor: input.clientId,
    subject: answer.sub ?? null,
    session: answer.sid ?? null,
    detail: answer.active ? 'token_active' : 'token_inactive',
  });
  return answer;
}
