/**
 * @module platform/routes/authentication
 *
 * The one authentication and authorization door. A single `onRequest` hook reads the matched
 * route's contract and, unless the route is public, asks the configured `Authenticator` for a
 * principal, checks its assurance level and the declared permission, and only then lets the
 * request reach body parsing and the handler. Deny by default: a missing principal, a lower
 * level, or a missing permission all stop the request here. A session below the route's level
 * is told what would do (`AUTH_LEVEL_INSUFFICIENT` with the RFC 9470 challenge, the level to
 * reach and the kinds of factor that reach it), so a client can ask for the right sign-in. Routes declared `client` are for
 * the app team's own services: they go to the `ClientAuthenticator` instead, and a session is
 * worth nothing there (nor is a client credential on a session route).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError, type AssuranceShortfall } from '../errors/app-error.ts';
import { ASSURANCE_LEVELS, enrolmentAllows, type AssuranceLevel, type RouteSecurity, type StepUpLevel } from './contract.ts';
import { levelInsufficient } from './insufficient-authentication.ts';
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

/**
 * For a session below a route's level (`routeLevel`): the level this caller must reach and the
 * kinds of factor that reach it in this deployment. The sign-in policy lives in a module, so
 * the app passes it in (to this hook, and to services that refuse a too-weak session themselves).
 */
export type AssuranceAdvisor = (session: Pick<Principal, 'aal' | 'roles'>, routeLevel: StepUpLevel) => AssuranceShortfall;

export interface AuthenticationOptions {
  /** Authenticates services on `client` routes; by default every service is refused. */
  readonly clientAuthenticator?: ClientAuthenticator;
  readonly assuranceAdvisor: AssuranceAdvisor;
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

export function registerAuthentication(app: FastifyInstance, authenticator: Authenticator, options: AuthenticationOptions): void {
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
    // Every session meets aal1, so only an aal2 or aal2_phr route can find one too weak.
    const routeLevel = contract.auth;
    if (routeLevel !== 'aal1' && !meetsAssuranceLevel(principal.aal, routeLevel)) {
      throw levelInsufficient(options.assuranceAdvisor(principal, routeLevel), { maxAgeSeconds: contract.stepUp?.maxAgeSeconds });
    }
    if (principal.restrictedTo !== undefined && !enrolmentAllows(contract.enrolment, principal.restrictedTo)) {
      // A breached password is changed before anything else, enrolment included.
      if (principal.restrictedTo.includes('password'))
        throw appError('PASSWORD_CHANGE_REQUIRED', { detail: 'breached-password session outside password change' });
      throw appError('MFA_ENROLMENT_REQUIRED', { detail: 'restricted session outside its enrolment routes' });
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
