/**
 * @module platform/routes/request-context
 *
 * Where a request came from and its audit door, as services receive them (they never see the
 * Fastify request): built by `requestContext(request)` in request.ts, or by
 * `detachedRequestContext` for work that has no HTTP request (the CLI, background jobs, tests).
 */
import { createAuditor, type Auditor, type AuditorDeps } from '../audit/auditor.ts';

/**
 * The id the request log uses, the client's coarse network (IPv4 /24, IPv6 /48), and
 * `audit`, the request's audit door (`request.audit`): a service writes every event through it,
 * so actor, session, request id and network are filled in one place.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly ipPrefix: string;
  readonly audit: Auditor;
}

/**
 * A context for work that no HTTP request carries: events name no actor or session unless
 * the call says so, and carry the given request id and network.
 */
export function detachedRequestContext(
  deps: AuditorDeps,
  origin: { readonly requestId: string; readonly ipPrefix: string },
): RequestContext {
  const audit = createAuditor(deps, () => ({ actor: null, session: null, requestId: origin.requestId, ipPrefix: origin.ipPrefix }));
  return { ...origin, audit };
}
