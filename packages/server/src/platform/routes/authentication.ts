/**
 * @module platform/routes/authentication
 *
 * The one authentication and authorization door. A single `onRequest` hook reads the matched
 * route's contract and, unless the route is public, asks the configured `Authenticator` for a
 * principal, checks its assurance level and the declared permission, and only then lets the
 * request reach body parsing and the handler. Deny by default: a missing principal, a lower
 * level, or a missing permission all stop the request here. Routes declared `client` are for
 * the app team's own services: they go to the `ClientAuthenticator` instead, and a session is
 * worth nothing there (nor is a client credential on a session route).
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

/** A service calling a `client` route (ASVS V13.2.1): which configured client it proved to be. */
export interface ClientPrincipal {
  readonly clientId: string;
}

export interface ClientAuthenticator {
  /** Returns the calling service, or `null` when its credentials are missing or wrong. */
  authenticate(request: FastifyRequest): Promise<ClientPrincipal | null>;
  /** `WWW-Authenticate` value sent with 401 AUTH_CLIENT_INVALID (RFC 6749 section 5.2). */
  readonly challenge: string;
}

/** RFC 7617 / RFC 6749 section 5.2: the challenge for client credentials (HTTP Basic). */
export const BASIC_CLIENT_CHALLENGE = 'Basic realm="portcullis"';

/** Refuses every service: the client authenticator in force when none is configured. */
export const rejectAllClientAuthenticator: ClientAuthenticator = {
  challenge: BASIC_CLIENT_CHALLENGE,
  authenticate: () => Promise.resolve(null),
};

export interface AuthenticationOptions {
  /** Authenticates services on `client` routes; by default every service is refused. */
  readonly clientAuthenticator?: ClientAuthenticator;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for every `client` route; `null` everywhere else. */
    client: ClientPrincipal | null;
  }
}

export function meetsAssuranceLevel(actual: AssuranceLevel, required: AssuranceLevel): boolean {
  return ASSURANCE_LEVELS.indexOf(actual) >= ASSURANCE_LEVELS.indexOf(required);
}

export function registerAuthentication(app: FastifyInstance, authenticator: Authenticator, options: AuthenticationOptions = {}): void {
  const challengeHeaders: Record<string, string> = authenticator.challenge ? { 'www-authenticate': authenticator.challenge } : {};
  const clientAuthenticator = options.clientAuthenticator ?? rejectAllClientAuthenticator;
  const clientChallengeHeaders: Record<string, string> = { 'www-authenticate': clientAuthenticator.challenge };
  app.decorateRequest('principal', null);
  app.decorateRequest('client', null);
  const authorizeClient = async (request: FastifyRequest, contract: Partial<RouteSecurity>): Promise<void> => {
    const client = await clientAuthenticator.authenticate(request);
    if (!client) throw appError('AUTH_CLIENT_INVALID', { detail: 'no acceptable client credentials', headers: clientChallengeHeaders });
    // The contract check refuses permissions on client routes; this keeps the door shut if it ever did not.
    if (contract.permission !== 'none')
      throw appError('RBAC_FORBIDDEN', { detail: `client route requires ${contract.permission ?? 'an undeclared permission'}` });
    request.client = client;
  };
  const authorize = async (request: FastifyRequest, contract: Partial<RouteSecurity>): Promise<void> => {
    if (contract.auth === undefined || contract.auth === 'public')
      throw appError('INTERNAL_ERROR', { detail: 'route without contract reached' });
    if (contract.auth === 'client') {
      await authorizeClient(request, contract);
      return;
    }
    const principal = await authenticator.authenticate(request);
    if (!principal) throw appError('AUTH_REQUIRED', { detail: 'no acceptable credentials', headers: challengeHeaders });
    if (!meetsAssuranceLevel(principal.aal, contract.auth)) {
      throw appError('AUTH_REQUIRED', { detail: `session level ${principal.aal} below ${contract.auth}` });
    }
    if (principal.restricted === true && contract.enrolment !== true) {
      throw appError('MFA_ENROLMENT_REQUIRED', { detail: 'restricted session outside enrolment routes' });
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
