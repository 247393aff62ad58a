/**
 * @module modules/introspection/routes
 *
 * `POST /v1/oauth/introspect` (RFC 7662). Declared `client`: the platform's authentication hook
 * has checked the calling service's credentials before this runs (and before the body is
 * parsed); a session token is not accepted here. Form bodies (the RFC's encoding) and JSON are
 * both accepted; `token_type_hint` and other parameters are ignored (section 2.1 allows it).
 */
import type { FastifyRequest } from 'fastify';
import { IntrospectionRequestSchema, IntrospectionResponseSchema } from '@portcullis/protocol';
import { requestContext } from '../../platform/routes/request.ts';
import { FORM_CONTENT_TYPE, registerFormBody } from '../../platform/http/form-body.ts';
import { introspectToken, type IntrospectionDeps } from './service.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

function clientOf(request: FastifyRequest): string {
  if (!request.client) throw new TypeError('clientOf() called on a route without client authentication');
  return request.client.clientId;
}

/** RFC 7662 section 2.1: a token (at most 400 characters) and a hint or two. */
const INTROSPECTION_BODY_LIMIT_BYTES = 4096;

export function introspectionRoutes(deps: IntrospectionDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    // Registered in this plugin's context only: no other route starts accepting form bodies.
    registerFormBody(app, { bodyLimitBytes: INTROSPECTION_BODY_LIMIT_BYTES });
    app.post(
      '/v1/oauth/introspect',
      {
        config: { auth: 'client', permission: 'none', audit: 'introspection.performed' },
        schema: {
          summary: 'Introspect an access token (RFC 7662; service client credentials via HTTP Basic)',
          tags: ['introspection'],
          consumes: [FORM_CONTENT_TYPE, 'application/json'],
          body: IntrospectionRequestSchema,
          response: { 200: IntrospectionResponseSchema },
        },
      },
      async (request) => {
        const { token } = request.body;
        return introspectToken(deps, { token, clientId: clientOf(request) }, requestContext(request));
      },
    );
  };
}
