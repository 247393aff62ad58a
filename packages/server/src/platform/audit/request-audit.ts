/**
 * @module platform/audit/request-audit
 *
 * `request.audit(action, { subject, outcome, detail })`: the audit door for request handlers.
 * It fills in the actor (the signed-in account, or the calling service), the caller's session,
 * the request id, the client's network and the time, and resolves once the entry is written
 * (in the transaction passed as third argument, when there is one).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ipPrefix } from '../http/ip-prefix.ts';
import { createAuditor, type Auditor, type AuditorDeps, type AuditOrigin } from './auditor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Writes an audit event on behalf of this request (see platform/audit/request-audit.ts). */
    readonly audit: Auditor;
  }
}

function originOf(request: FastifyRequest): AuditOrigin {
  return {
    actor: request.principal?.accountId ?? request.client?.clientId ?? null,
    session: request.principal?.sessionId ?? null,
    requestId: request.id,
    ipPrefix: ipPrefix(request.ip),
  };
}

/** Decorates every request with `audit`. The principal is read at each write, so hook order does not matter. */
export function registerRequestAudit(app: FastifyInstance, deps: AuditorDeps): void {
  app.decorateRequest('audit', {
    // A getter: nothing is built for requests that write no event, and a handler may pass
    // `request.audit` on as a plain function.
    getter(this: FastifyRequest): Auditor {
      return createAuditor(deps, () => originOf(this));
    },
  });
}
