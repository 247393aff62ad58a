/**
 * @module modules/sessions/authenticator
 *
 * The platform `Authenticator` backed by sessions: `Authorization: DPoP <access token>` plus a
 * `DPoP` proof for this exact request, signed by the key the session is bound to (RFC 9449
 * §7). Bearer tokens are refused — a stolen token alone is worth nothing — except for sessions
 * of a client the operator still lists in `sessions.bearerClients` (see binding.ts). The token is
 * looked up first (cheap, rejects garbage), then the proof's signature is verified (the expensive
 * part).
 */
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../../platform/routes/authentication.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { AssuranceLevel } from '../../platform/routes/contract.ts';
import type { RolePermissions } from '../../platform/routes/permissions.ts';
import { authenticateAccessToken, type AuthenticatedSession, type SessionsDeps } from './service.ts';
import { isAllowedBearerBinding } from './binding.ts';
import { restrictionOf } from './restriction.ts';
import { buildHtu, checkProofBinding, type DPoPVerifier } from './dpop/index.ts';

export interface SessionAuthenticatorDeps {
  readonly sessions: SessionsDeps;
  readonly dpop: DPoPVerifier;
  readonly publicUrl: string;
  /** `sessions.bearerClients`: the clients whose sessions accept `Authorization: Bearer`. */
  readonly bearerClients?: readonly string[];
  /** `access.roles`, resolved at start-up: the principal's permissions are the union over its roles. */
  readonly access: RolePermissions;
}

/** Splits `Authorization: <scheme> <token>`; the scheme is lower-cased. */
function parseAuthorization(authorization: string | undefined): { scheme: string; token: string } | undefined {
  if (authorization === undefined) return undefined;
  const space = authorization.indexOf(' ');
  if (space === -1) return undefined;
  const token = authorization.slice(space + 1).trim();
  return token === '' ? undefined : { scheme: authorization.slice(0, space).toLowerCase(), token };
}

/** `DPoP <token>` → token; any other scheme (Bearer included) → undefined. */
export function dpopAccessToken(authorization: string | undefined): string | undefined {
  const parsed = parseAuthorization(authorization);
  return parsed?.scheme === 'dpop' ? parsed.token : undefined;
}

function principalFrom(found: AuthenticatedSession, access: RolePermissions): Principal {
  return {
    accountId: found.session.account_id,
    sessionId: found.session.id,
    aal: found.session.aal as AssuranceLevel,
    amr: JSON.parse(found.session.amr) as string[],
    authTime: found.session.auth_time,
    roles: found.roles,
    permissions: access.permissionsOf(found.roles),
    restrictedTo: restrictionOf(found.session.restricted_to),
  };
}

export function createSessionAuthenticator(deps: SessionAuthenticatorDeps): Authenticator {
  const bearerClients = deps.bearerClients ?? [];
  return {
    challenge: 'DPoP algs="ES256 EdDSA"',
    authenticate: async (request: FastifyRequest): Promise<Principal | null> => {
      const presented = parseAuthorization(request.headers.authorization);
      if (presented?.scheme === 'bearer') {
        if (bearerClients.length === 0) return null;
        const found = await authenticateAccessToken(deps.sessions, presented.token);
        return found && isAllowedBearerBinding(found.session.jkt, bearerClients) ? principalFrom(found, deps.access) : null;
      }
      if (presented?.scheme !== 'dpop') return null;
      const token = presented.token;
      const found = await authenticateAccessToken(deps.sessions, token);
      if (!found) return null;
      const proof = await deps.dpop.verify(request.headers.dpop, {
        method: request.method,
        htu: buildHtu(deps.publicUrl, request.url),
        accessToken: token,
      });
      checkProofBinding(proof, found.session.jkt);
      return principalFrom(found, deps.access);
    },
  };
}
