/**
 * @module platform/routes/step-up
 *
 * The step-up door: one `preHandler` hook that enforces a route's `stepUp` declaration after the
 * body is parsed and validated (the action digest covers the body). A call goes through when
 *
 * 1. the session itself authenticated at the declared level or higher within `maxAgeSeconds`
 *    (OIDC `max_age` semantics; `0` turns this off), or
 * 2. it carries, in the `Portcullis-Step-Up` header, a challenge token that this session
 *    answered and that was issued for this very request — method, path, query string and body,
 *    as {@link actionDigest} encodes them — and that token is spent now (once, ever).
 *
 * Otherwise it answers `401 STEP_UP_REQUIRED` with a new challenge for this request. Challenges
 * are stored, answered and spent by the step-up module behind the {@link StepUpChallenges} port,
 * so the platform imports no module. See docs/flows/step-up.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERRORS, STEP_UP_HEADER, type AuthChallenge } from '@portcullis/protocol';
import { canonicalJSON, type CanonicalValue } from '../audit/log/canonical-json.ts';
import type { Clock } from '../clock/clock.ts';
import { sha256Base64Url } from '../crypto/index.ts';
import { appError } from '../errors/app-error.ts';
import { meetsAssuranceLevel } from './authentication.ts';
import type { RouteSecurity, StepUpLevel, StepUpRequirement } from './contract.ts';
import { insufficientAuthenticationChallenge } from './insufficient-authentication.ts';
import type { Principal } from './principal.ts';

/** The request a step-up is for, as the challenge store sees it. */
export interface StepUpAction {
  readonly principal: Principal;
  readonly level: StepUpLevel;
  /** {@link actionDigest} of the request. */
  readonly digest: string;
}

/** The challenge store (implemented by the step-up module). Both methods audit what they do. */
export interface StepUpChallenges {
  /** Stores a new challenge for `action` and says how to answer it; throws `STEP_UP_UNAVAILABLE` when no factor of the account can. */
  issue(request: FastifyRequest, action: StepUpAction): Promise<AuthChallenge>;
  /** Spends `token` if this session answered it at `action.level` or higher for exactly this action; false otherwise. */
  redeem(request: FastifyRequest, token: string, action: StepUpAction): Promise<boolean>;
}

export interface StepUpOptions {
  readonly clock: Clock;
}

/** Domain separation and version of the action encoding; a change of encoding changes this. */
const ACTION_ENCODING = 'portcullis-step-up-action/1';

/** The parsed body as a canonical JSON value; bytes (non-JSON parsers) as base64url text under a tag. */
function canonicalBody(body: unknown): string {
  if (body === undefined || body === null) return 'null';
  if (body instanceof Uint8Array) return canonicalJSON({ bytes: Buffer.from(body).toString('base64url') });
  return canonicalJSON(body as CanonicalValue);
}

/**
 * What a step-up commits to: SHA-256 (base64url) of the canonical JSON array
 * `["portcullis-step-up-action/1", METHOD, path, query, SHA-256(canonical JSON of the body)]`.
 * `path` and `query` are exactly as requested (percent-encoding kept; route parameters are part
 * of the path); the body is the parsed JSON with object keys sorted (RFC 8785 style), `null`
 * when there is none. The same request repeated gives the same digest; any other method,
 * resource, query or body gives another.
 */
export function actionDigest(request: Pick<FastifyRequest, 'method' | 'url' | 'body'>): string {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  return sha256Base64Url(canonicalJSON([ACTION_ENCODING, request.method, path, query, sha256Base64Url(canonicalBody(request.body))]));
}

/** Whether the session's own authentication is recent and strong enough for `requirement`. */
export function isFreshEnough(principal: Principal, requirement: StepUpRequirement, now: number): boolean {
  if (requirement.maxAgeSeconds === 0 || principal.authTime === undefined) return false;
  const age = now - principal.authTime;
  return age >= 0 && age <= requirement.maxAgeSeconds * 1000 && meetsAssuranceLevel(principal.aal, requirement.level);
}

/** The one presented token; a repeated header counts as none (it cannot be told which one was meant). */
function presentedToken(request: FastifyRequest): string | undefined {
  const value = request.headers[STEP_UP_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Installs the step-up hook. Call after `registerAuthentication` and before routes are registered. */
export function registerStepUp(app: FastifyInstance, challenges: StepUpChallenges, options: StepUpOptions): void {
  const enforce = async (request: FastifyRequest, requirement: StepUpRequirement): Promise<void> => {
    const principal = request.principal;
    // The contract allows stepUp on session routes only, and authentication ran first.
    if (principal === null) throw appError('INTERNAL_ERROR', { detail: 'step-up route reached without a principal' });
    if (isFreshEnough(principal, requirement, options.clock.now())) return;
    const action: StepUpAction = { principal, level: requirement.level, digest: actionDigest(request) };
    const token = presentedToken(request);
    if (token !== undefined && (await challenges.redeem(request, token, action))) return;
    const challenge = await challenges.issue(request, action);
    throw appError('STEP_UP_REQUIRED', {
      detail: token === undefined ? `${requirement.level} step-up needed` : 'step-up token refused for this action',
      challenge,
      headers: {
        'www-authenticate': insufficientAuthenticationChallenge({
          level: requirement.level,
          maxAgeSeconds: requirement.maxAgeSeconds,
          description: ERRORS.STEP_UP_REQUIRED.message,
        }),
      },
    });
  };
  // Callback style: routes without a step-up pay no promise.
  app.addHook('preHandler', (request, _reply, done) => {
    const requirement = (request.routeOptions.config as Partial<RouteSecurity>).stepUp;
    if (request.is404 || requirement === undefined) {
      done();
      return;
    }
    enforce(request, requirement).then(() => done(), done);
  });
}
