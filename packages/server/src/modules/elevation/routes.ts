/**
 * @module modules/elevation/routes
 *
 * HTTP for time-boxed elevation. Staff (`elevation:request`) ask for a role, list and end their
 * own elevations; approvers (`elevation:approve`) list pending requests and approve or deny
 * them. Asking and approving change who can do what, so both need a fresh phishing-resistant
 * authentication bound to the request (step-up).
 */
import { ElevationIdParamsSchema, ElevationListSchema, ElevationRequestSchema, ElevationSchema } from '@portcullis/protocol';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS } from '../../platform/routes/contract.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import * as service from './service.ts';
import type { ElevationDeps } from './service.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

const TAGS = ['elevation'];
const STEP_UP = { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2_phr' } as const;

export function elevationRoutes(deps: ElevationDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/elevations',
      {
        config: { auth: 'aal2', permission: 'elevation:request', audit: 'elevation.requested', stepUp: STEP_UP },
        schema: {
          summary: 'Ask for a role for at most an hour, with a reason',
          tags: TAGS,
          body: ElevationRequestSchema,
          response: { 201: ElevationSchema },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const elevation = await service.requestElevation(deps, principalOf(request), body, requestContext(request));
        return reply.code(201).send(elevation);
      },
    );

    app.get(
      '/v1/elevations',
      {
        config: { auth: 'aal2', permission: 'elevation:request', audit: 'none' },
        schema: { summary: 'List my elevations', tags: TAGS, response: { 200: ElevationListSchema } },
      },
      async (request) => ({ elevations: await service.listOwnElevations(deps, principalOf(request)) }),
    );

    app.delete(
      '/v1/elevations/:elevationId',
      {
        config: { auth: 'aal2', permission: 'elevation:request', audit: 'elevation.ended' },
        schema: {
          summary: 'End my elevation early (or withdraw my request)',
          tags: TAGS,
          params: ElevationIdParamsSchema,
          response: { 200: ElevationSchema },
        },
      },
      async (request) => {
        const { elevationId } = request.params;
        return service.endElevation(deps, principalOf(request), { id: elevationId, scope: 'own' }, requestContext(request));
      },
    );

    app.get(
      '/v1/admin/elevations',
      {
        config: { auth: 'aal2', permission: 'elevation:approve', audit: 'none' },
        schema: {
          summary: 'List elevation requests and role grants waiting for approval',
          tags: TAGS,
          response: { 200: ElevationListSchema },
        },
      },
      async () => ({ elevations: await service.listPendingElevations(deps) }),
    );

    app.get(
      '/v1/admin/elevations/active',
      {
        config: { auth: 'aal2', permission: 'elevation:approve', audit: 'none' },
        schema: {
          summary: 'List elevations in force (to end one early)',
          tags: TAGS,
          response: { 200: ElevationListSchema },
        },
      },
      async () => ({ elevations: await service.listActiveElevations(deps) }),
    );

    app.post(
      '/v1/admin/elevations/:elevationId/approve',
      {
        config: { auth: 'aal2', permission: 'elevation:approve', audit: 'elevation.approved', stepUp: STEP_UP },
        schema: {
          summary: 'Approve an elevation request or role grant (a second person only)',
          tags: TAGS,
          params: ElevationIdParamsSchema,
          response: { 200: ElevationSchema },
        },
      },
      async (request) => {
        const { elevationId } = request.params;
        return service.approveElevation(deps, principalOf(request), elevationId, requestContext(request));
      },
    );

    app.post(
      '/v1/admin/elevations/:elevationId/revoke',
      {
        config: { auth: 'aal2', permission: 'elevation:approve', audit: 'elevation.ended' },
        schema: {
          summary: 'Deny a pending request, or end an elevation in force',
          tags: TAGS,
          params: ElevationIdParamsSchema,
          response: { 200: ElevationSchema },
        },
      },
      async (request) => {
        const { elevationId } = request.params;
        return service.endElevation(deps, principalOf(request), { id: elevationId, scope: 'any' }, requestContext(request));
      },
    );
  };
}
