/**
 * @module modules/records/routes
 *
 * HTTP for the patient file and the profile. Each route declares the permission that the
 * platform checks before the handler runs; which rows the caller then sees is decided by the
 * scoped queries of the service (scope.ts), and which fields by the caller's relation to the
 * person (view.ts). Request and response schemas are built from the declared record types
 * (schemas.ts): field values only leave through them.
 */
import type { FastifyRequest } from 'fastify';
import {
  NewRecordGrantSchema,
  PatientEntryParamsSchema,
  PatientParamsSchema,
  ProfileParamsSchema,
  ProfilePreviewQuerySchema,
  RecordEntryParamsSchema,
  RecordGrantListSchema,
  RecordGrantParamsSchema,
  RecordGrantSchema,
} from '@portcullis/protocol';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import * as service from './service.ts';
import * as profiles from './profiles.ts';
import { previewOwnData } from './preview.ts';
import { recordsService, type RecordsDeps } from './deps.ts';
import { PROFILE_PERMISSIONS } from './relation.ts';
import { buildRecordSchemas } from './schemas.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

const TAGS = ['records'];
const PROFILE_TAGS = ['profiles'];

export function recordsRoutes(deps: RecordsDeps) {
  const records = recordsService(deps);
  const schemas = buildRecordSchemas(records.catalogue);
  return async function routes(app: RouteApp): Promise<void> {
    const own = (request: FastifyRequest) => [records, principalOf(request)] as const;

    app.get(
      '/v1/accounts/me/profile',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'profile.read' },
        schema: { summary: 'Read my profile, with who may see each field', tags: PROFILE_TAGS, response: { 200: schemas.ownProfile } },
      },
      async (request) => profiles.readOwnProfile(...own(request), requestContext(request)),
    );

    app.put(
      '/v1/accounts/me/profile',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'profile.updated' },
        schema: {
          summary: 'Replace my profile and choose who may see each field',
          description:
            'Every value to keep goes in `fields` (a field left out is removed). `sharing` narrows who may see a field, never beyond its declared classification; a field never chosen for is `private` (or its declared classification when `private` would widen it).',
          tags: PROFILE_TAGS,
          body: schemas.profileUpdate,
          response: { 200: schemas.ownProfile },
        },
      },
      async (request) => profiles.replaceOwnProfile(...own(request), request.body, requestContext(request)),
    );

    app.get(
      '/v1/accounts/me/preview',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'profile.read' },
        schema: {
          summary: 'See my profile and patient file as the public or my care team sees them',
          tags: PROFILE_TAGS,
          querystring: ProfilePreviewQuerySchema,
          response: { 200: schemas.preview },
        },
      },
      async (request) => previewOwnData(...own(request), request.query.as, requestContext(request)),
    );

    app.get(
      '/v1/profiles/:accountId',
      {
        config: { auth: 'aal1', permission: PROFILE_PERMISSIONS.read, audit: 'profile.read' },
        schema: {
          summary: "Read someone's profile: the fields my relation to them allows",
          tags: PROFILE_TAGS,
          params: ProfileParamsSchema,
          response: { 200: schemas.profile },
        },
      },
      async (request) => profiles.readProfile(...own(request), request.params.accountId, requestContext(request)),
    );

    app.get(
      '/v1/records/me/entries',
      {
        config: { auth: 'aal1', permission: 'records:read_own', audit: 'record.read' },
        schema: { summary: 'List the entries of my patient file', tags: TAGS, response: { 200: schemas.entryList } },
      },
      async (request) => ({ entries: await service.listOwnEntries(...own(request), requestContext(request)) }),
    );

    app.get(
      '/v1/records/me/entries/:entryId',
      {
        config: { auth: 'aal1', permission: 'records:read_own', audit: 'record.read' },
        schema: {
          summary: 'Read an entry of my patient file',
          tags: TAGS,
          params: RecordEntryParamsSchema,
          response: { 200: schemas.entry },
        },
      },
      async (request) => {
        const { entryId } = request.params;
        return service.readOwnEntry(...own(request), entryId, requestContext(request));
      },
    );

    app.get(
      '/v1/records/grants',
      {
        config: { auth: 'aal1', permission: 'grants:manage_own', audit: 'none' },
        schema: { summary: 'List who may see my patient file', tags: TAGS, response: { 200: RecordGrantListSchema } },
      },
      async (request) => ({ grants: await service.listGrantsGiven(...own(request)) }),
    );

    app.post(
      '/v1/records/grants',
      {
        config: { auth: 'aal1', permission: 'grants:manage_own', audit: 'record.grant_created' },
        schema: {
          summary: 'Let a clinician see (or also add to) my patient file',
          tags: TAGS,
          body: NewRecordGrantSchema,
          response: { 201: RecordGrantSchema },
        },
      },
      async (request, reply) => {
        const grant = await service.createGrant(...own(request), request.body, requestContext(request));
        return reply.code(201).send(grant);
      },
    );

    app.delete(
      '/v1/records/grants/:grantId',
      {
        config: { auth: 'aal1', permission: 'grants:manage_own', audit: 'record.grant_revoked' },
        schema: {
          summary: 'Revoke a grant to my patient file',
          tags: TAGS,
          params: RecordGrantParamsSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const { grantId } = request.params;
        await service.revokeGrant(...own(request), grantId, requestContext(request));
        return reply.code(204).send();
      },
    );

    app.get(
      '/v1/records/patients',
      {
        config: { auth: 'aal1', permission: 'records:read_granted', audit: 'none' },
        schema: { summary: 'List the patients who granted me access to their file', tags: TAGS, response: { 200: RecordGrantListSchema } },
      },
      async (request) => ({ grants: await service.listGrantsReceived(...own(request)) }),
    );

    app.get(
      '/v1/records/patients/:patientId/entries',
      {
        config: { auth: 'aal1', permission: 'records:read_granted', audit: 'record.read' },
        schema: {
          summary: "List the entries of a granting patient's file",
          tags: TAGS,
          params: PatientParamsSchema,
          response: { 200: schemas.entryList },
        },
      },
      async (request) => {
        const { patientId } = request.params;
        return { entries: await service.listPatientEntries(...own(request), patientId, requestContext(request)) };
      },
    );

    app.get(
      '/v1/records/patients/:patientId/entries/:entryId',
      {
        config: { auth: 'aal1', permission: 'records:read_granted', audit: 'record.read' },
        schema: {
          summary: "Read an entry of a granting patient's file",
          tags: TAGS,
          params: PatientEntryParamsSchema,
          response: { 200: schemas.entry },
        },
      },
      async (request) => {
        const { patientId, entryId } = request.params;
        return service.readPatientEntry(...own(request), patientId, entryId, requestContext(request));
      },
    );

    app.post(
      '/v1/records/patients/:patientId/entries',
      {
        config: { auth: 'aal1', permission: 'records:write_granted', audit: 'record.written' },
        schema: {
          summary: "Add an entry to a granting patient's file (needs a write grant)",
          tags: TAGS,
          params: PatientParamsSchema,
          body: schemas.newEntry,
          response: { 201: schemas.entry },
        },
      },
      async (request, reply) => {
        const { patientId } = request.params;
        const entry = await service.addPatientEntry(...own(request), patientId, request.body, requestContext(request));
        return reply.code(201).send(entry);
      },
    );
  };
}
