/**
 * @module modules/records/routes
 *
 * HTTP for the patient file. Each route declares the permission that the platform checks before
 * the handler runs; which rows the caller then sees is decided by the scoped queries of the
 * service (scope.ts). Entry bodies are personal data: they only leave through these response schemas.
 */
import type { FastifyRequest } from 'fastify';
import {
  NewRecordEntrySchema,
  NewRecordGrantSchema,
  PatientEntryParamsSchema,
  PatientParamsSchema,
  RecordEntryListSchema,
  RecordEntryParamsSchema,
  RecordEntrySchema,
  RecordGrantListSchema,
  RecordGrantParamsSchema,
  RecordGrantSchema,
} from '@portcullis/protocol';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import * as service from './service.ts';
import type { RecordsDeps } from './service.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

const TAGS = ['records'];

export function recordsRoutes(deps: RecordsDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    const own = (request: FastifyRequest) => [deps, principalOf(request)] as const;

    app.get(
      '/v1/records/me/entries',
      {
        config: { auth: 'aal1', permission: 'records:read_own', audit: 'record.read' },
        schema: { summary: 'List the entries of my patient file', tags: TAGS, response: { 200: RecordEntryListSchema } },
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
          response: { 200: RecordEntrySchema },
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
          response: { 200: RecordEntryListSchema },
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
          response: { 200: RecordEntrySchema },
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
          body: NewRecordEntrySchema,
          response: { 201: RecordEntrySchema },
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
