/**
 * @module platform/routes/authentication
 *
 * The one authentication and authorization door. A single `onRequest` hook reads the matched
 * route's contract and, unless the route is public, asks the configured `Authenticator` for a
 * principal, checks its assurance level and the declared permission, and only then lets the
 * request reach body parsing and the handler. Deny by default: a missing principal, a lower
 * level, or a missing permission all stop the request here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from '../errors/app-error.ts';
import { ASSURANCE_LEVELS, type AssuranceLevel, type RouteSecurity } from './contract.ts';
import type { Principal } from './principal.ts';

export interface Authenticator {
  /** Returns the caller, or `null` when the request carries no acceptable credentials. */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** `WWW-Authenticate` value sent with 401 AUTH_REQUIRED (RFC 9110 §11.6.1). */
  readonly challenge?: string;
}

/** Refuses every request: the authenticator in force until a session mechanism is configured. */
export const rejectAllAuthenticator: Authenticator = {
  authenticate: () => Promise.resolve(null),
};

export function meetsAssuranceLevel(actual: AssuranceLevel, required: AssuranceLevel): boolean {
  return ASSURANCE_LEVELS.indexOf(actual) >= ASSURANCE_LEVELS.indexOf(required);
}

export function registerAuthentication(app: FastifyInstance, authenticator: Authenticator): void {
  const challengeHeaders: Record<string, string> = authenticator.challenge ? { 'www-authenticate': authenticator.challenge } : {};
  app.decorateRequest('principal', null);
  const authorize = async (request: FastifyRequest, contract: Partial<RouteSecurity>): Promise<void> => {
    if (contract.auth === undefined || contract.auth === 'public')
      throw appError('INTERNAL_ERROR', { detail: 'route without contract reached' });
    const principal = await authenticator.authenticate(request);
    if (!principal) throw appError('AUTH_REQUIRED', { detail: 'no acceptable credentials', headers: challengeHeaders });
    if (!meetsAssuranceLevel(principal.aal, contract.auth)) {
      throw appError('AUTH_REQUIRED', { detail: `session level ${principal.aal} below ${contract.auth}` });
    }
    if (contract.permission !== 'none' && !principal.permissions.has(contract.permission ?? '')) {
      throw appError('RBAC_FORBIDDEN', { detail: `missing permission ${contract.permission}` });
    }
    request.principal = principal;
  };
  // Callback style so public routes (health probes, sign-in) pay no promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    const contract = request.routeOptions.config as Partial<RouteSecurity>;
    // The not-found handler answers 404 itself; there is nothing behind it to protect.
    if (request.is404 || contract.auth === 'public') {
      done();
      return;
    }
    authorize(request, contract).then(() => done(), done);
  });
}
