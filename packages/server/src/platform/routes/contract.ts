/**
 * @module platform/routes/contract
 *
 * The route contract: every route declares, in its `config`, who may call it (`auth`), which
 * permission it needs (`permission`) and how it is audited (`audit`), and has request and
 * response schemas. The server refuses to start when any route lacks one of these — there is
 * no default that could silently make a route public. Enforcement happens in one hook
 * (authentication.ts) before body parsing, so an unauthenticated caller costs almost nothing.
 * A route is called either by people (a session at some assurance level) or by the app team's
 * own services (`client`: service credentials, never a session) — never by both. A route for
 * people may also demand a fresh authentication bound to the very request (`stepUp`, enforced
 * by step-up.ts after the body is parsed). A public route also says how much of it one network
 * may use (`limit`, enforced by platform/rate-limit/request-limits.ts before the body is read).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { isAuditAction, type AuditAction } from '../audit/catalogue.ts';

/** Authentication assurance levels, weakest first (NIST SP 800-63B terms). */
export const ASSURANCE_LEVELS = ['aal1', 'aal2', 'aal2_phr'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

/**
 * `public`: anyone; `client`: a configured service authenticating with its client credentials
 * (RFC 6749 section 2.3.1; sessions are refused there); otherwise the minimum assurance level of
 * the caller's session.
 */
export type AuthRequirement = 'public' | 'client' | AssuranceLevel;

/** Levels a step-up can reach: a second factor (`aal2`) or a passkey with user verification (`aal2_phr`). */
export const STEP_UP_LEVELS = ['aal2', 'aal2_phr'] as const;
export type StepUpLevel = (typeof STEP_UP_LEVELS)[number];

/** SPEC "MFA and step-up": sensitive actions need an authentication from the last 5 minutes by default. */
export const STEP_UP_DEFAULT_MAX_AGE_SECONDS = 300;

/** Longest `stepUp.maxAgeSeconds` a route may declare: an hour-old sign-in is not a re-authentication. */
export const STEP_UP_MAX_AGE_LIMIT_SECONDS = 3600;

/**
 * The route changes something that needs the person to prove again who they are (ASVS V7.5.1,
 * V7.5.3). The call goes through when the session itself authenticated at `level` or higher
 * within `maxAgeSeconds`; otherwise only with a step-up performed for this very request.
 */
export interface StepUpRequirement {
  /** How old the session's own authentication may be (0: always ask for an action-bound step-up). */
  readonly maxAgeSeconds: number;
  readonly level: StepUpLevel;
}

/**
 * How much of a public route one network may use (`defense.requests`): `network` for the
 * anonymous routes that check credentials or start a sign-in, `network-costly` for those that
 * create accounts or send mail, `none` for routes that are cheap, token-gated or called by other
 * servers (health, documents, refresh, provider notifications).
 */
export const REQUEST_LIMITS = ['none', 'network', 'network-costly'] as const;
export type RequestLimit = (typeof REQUEST_LIMITS)[number];

/**
 * The audit actions a route writes when called (from platform/audit/catalogue.ts): one, several
 * when the request decides which (a code sent by email or by SMS), or `none` for routes with no
 * security meaning. A test checks that some code writes every action declared here.
 */
export type RouteAudit = 'none' | AuditAction | readonly [AuditAction, ...AuditAction[]];

/**
 * What a restricted session can be limited to setting up. A session whose role needs a second
 * factor it lacks may enrol any of `SECOND_FACTOR_ENROLMENTS` (modules/assurance decides at
 * sign-in what satisfies the role); the session a passkey-first sign-up opens may enrol a
 * passkey only; a sign-in with a known-breached password may only set a new `password`.
 */
export const ENROLMENT_FACTORS = ['passkey', 'totp', 'phone', 'password'] as const;
export type EnrolmentFactor = (typeof ENROLMENT_FACTORS)[number];

/** The second factors a session restricted to enrolling one may set up (not a password). */
export const SECOND_FACTOR_ENROLMENTS: readonly EnrolmentFactor[] = ['passkey', 'totp', 'phone'];

/**
 * Which restricted sessions may call a route: `any` every one of them (read the own account,
 * sign out); a factor only those that may enrol it (the route enrols or lists that factor).
 */
export const ROUTE_ENROLMENTS = ['any', ...ENROLMENT_FACTORS] as const;
export type RouteEnrolment = (typeof ROUTE_ENROLMENTS)[number];

/** Whether a session restricted to enrolling `restrictedTo` may call a route declaring `enrolment`. */
export function enrolmentAllows(enrolment: RouteEnrolment | undefined, restrictedTo: readonly EnrolmentFactor[]): boolean {
  if (enrolment === undefined) return false;
  return enrolment === 'any' || restrictedTo.includes(enrolment);
}

export interface RouteSecurity {
  readonly auth: AuthRequirement;
  /** Permission from the role configuration, or `none` (public routes and routes any signed-in caller may use). */
  readonly permission: string;
  /** What the call writes to the audit log (see `RouteAudit`). */
  readonly audit: RouteAudit;
  /**
   * The route helps someone finish an enrolment (register a passkey, set up an authenticator
   * app, read the own account, sign out), so a restricted session may call it — one that may
   * enrol the factor named here, or any for `any` (see `RouteEnrolment`). Every other route
   * refuses restricted sessions.
   */
  readonly enrolment?: RouteEnrolment;
  /** A fresh authentication, bound to the request, is needed (see step-up.ts). Session routes only. */
  readonly stepUp?: StepUpRequirement;
  /** Required on public routes, refused elsewhere (see `REQUEST_LIMITS`). */
  readonly limit?: RequestLimit;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
    permission?: string;
    audit?: RouteAudit;
    enrolment?: RouteEnrolment;
    stepUp?: StepUpRequirement;
    limit?: RequestLimit;
  }
}

const AUTH_VALUES: ReadonlySet<string> = new Set(['public', 'client', ...ASSURANCE_LEVELS]);
const PERMISSION_PATTERN = /^(none|[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)+)$/;

export class RouteContractError extends TypeError {
  override readonly name = 'RouteContractError';
}

/** Checks one route's declaration; returns every problem found (empty when the route is sound). */
export function routeContractProblems(route: Pick<RouteOptions, 'method' | 'url' | 'config' | 'schema'>): string[] {
  const problems: string[] = [];
  const config = (route.config ?? {}) as Partial<RouteSecurity>;
  if (config.auth === undefined || !AUTH_VALUES.has(config.auth)) {
    problems.push(`config.auth must be one of ${[...AUTH_VALUES].join(', ')}`);
  }
  if (config.permission === undefined || !PERMISSION_PATTERN.test(config.permission)) {
    problems.push('config.permission must be "none" or a permission such as "records:read"');
  } else if (config.auth === 'public' && config.permission !== 'none') {
    problems.push('a public route cannot require a permission');
  } else if (config.auth === 'client' && config.permission !== 'none') {
    // Service clients hold no roles; a permission here could never be granted, or worse, be
    // checked against a session's permissions by mistake.
    problems.push('a client route cannot require a permission');
  }
  problems.push(...auditProblems(config.audit));
  if (
    config.enrolment !== undefined &&
    (!(ROUTE_ENROLMENTS as readonly unknown[]).includes(config.enrolment) || config.auth === 'public' || config.auth === 'client')
  ) {
    problems.push(`config.enrolment must be one of ${ROUTE_ENROLMENTS.join(', ')}, on a route for signed-in people`);
  }
  if (config.stepUp !== undefined) problems.push(...stepUpProblems(config.stepUp, config.auth));
  if (config.auth === 'public' && (config.limit === undefined || !(REQUEST_LIMITS as readonly string[]).includes(config.limit))) {
    problems.push(`a public route must declare config.limit: ${REQUEST_LIMITS.join(', ')}`);
  } else if (config.auth !== 'public' && config.limit !== undefined) {
    problems.push('config.limit applies to public routes only');
  }
  if (!route.schema?.response) problems.push('schema.response must list every response the route can send');
  return problems;
}

/** The actions a route declares, `none` being no action; `undefined` when the declaration is malformed. */
export function declaredAuditActions(audit: unknown): readonly string[] | undefined {
  if (audit === 'none') return [];
  if (typeof audit === 'string') return [audit];
  if (Array.isArray(audit) && audit.length > 0 && audit.every((item) => typeof item === 'string')) return audit;
  return undefined;
}

function auditProblems(audit: unknown): string[] {
  const actions = declaredAuditActions(audit);
  if (actions === undefined) {
    return ['config.audit must be "none", an audit action such as "session.revoked", or a non-empty list of them'];
  }
  const unknown = actions.filter((action) => !isAuditAction(action));
  return unknown.length > 0 ? [`config.audit names actions missing from the audit catalogue: ${unknown.join(', ')}`] : [];
}

function stepUpProblems(stepUp: unknown, auth: AuthRequirement | undefined): string[] {
  const problems: string[] = [];
  if (auth === undefined || auth === 'public' || auth === 'client') problems.push('config.stepUp needs a route for signed-in people');
  const { maxAgeSeconds, level, ...rest } = (typeof stepUp === 'object' && stepUp !== null ? stepUp : {}) as Partial<StepUpRequirement>;
  if (
    typeof maxAgeSeconds !== 'number' ||
    !Number.isInteger(maxAgeSeconds) ||
    maxAgeSeconds < 0 ||
    maxAgeSeconds > STEP_UP_MAX_AGE_LIMIT_SECONDS
  ) {
    problems.push(`config.stepUp.maxAgeSeconds must be an integer from 0 to ${STEP_UP_MAX_AGE_LIMIT_SECONDS}`);
  }
  if (level === undefined || !(STEP_UP_LEVELS as readonly string[]).includes(level)) {
    problems.push(`config.stepUp.level must be one of ${STEP_UP_LEVELS.join(', ')}`);
  }
  if (Object.keys(rest).length > 0) problems.push(`config.stepUp has unknown settings: ${Object.keys(rest).join(', ')}`);
  return problems;
}

/**
 * Installs the start-up check. Must be called before any route is registered; a route added
 * without a sound contract makes `app.ready()` (and so `portcullis start`) fail with a message
 * naming the route.
 */
export function enforceRouteContract(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    // HEAD routes Fastify derives from GET routes inherit the GET route's declaration.
    const problems = routeContractProblems(route);
    if (problems.length > 0) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new RouteContractError(`Route ${methods} ${route.url} breaks the route contract: ${problems.join('; ')}`);
    }
  });
}
