/**
 * @module platform/routes/request-context
 *
 * Where a request came from, as services receive it (they never see the Fastify request):
 * built by `requestContext(request)` in request.ts.
 */

/** The id the request log uses, and the client's coarse network (IPv4 /24, IPv6 /48). */
export interface RequestContext {
  readonly requestId: string;
  readonly ipPrefix: string;
}
