/**
 * @module platform/routes/request
 *
 * What handlers read off an authenticated request, in one place for every module: the caller
 * (`principalOf`) and where the request came from, with its audit door (`requestContext`).
 */
import type { FastifyRequest } from 'fastify';
import { ipPrefix } from '../http/ip-prefix.ts';
import type { Principal } from './principal.ts';
import type { RequestContext } from './request-context.ts';

export function requestContext(request: FastifyRequest): RequestContext {
  return { requestId: request.id, ipPrefix: ipPrefix(request.ip), audit: request.audit };
}

/** The principal of an authenticated route (the platform guarantees it is set there). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TypeError('principalOf() called on a route without authentication');
  return request.principal;
}
