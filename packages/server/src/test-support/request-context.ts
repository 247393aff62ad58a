/**
 * @module test-support/request-context
 *
 * A request context for tests that call services directly: events go through the real audit
 * door into the app's log, from a fixed test network.
 */
import type { AuditorDeps } from '../platform/audit/auditor.ts';
import { detachedRequestContext, type RequestContext } from '../platform/routes/request-context.ts';

export function testRequestContext(deps: AuditorDeps, requestId = 'test', ipPrefix = '127.0.0.0/24'): RequestContext {
  return detachedRequestContext(deps, { requestId, ipPrefix });
}
