/**
 * @module modules/audit-api/routes
 *
 * HTTP for auditors (`audit:read`). Each query is audited as `audit.queried` — `reason` says
 * which kind (`entries`, `checkpoint`, `inclusion_proof`, `consistency_proof`), `subject` the
 * account whose entries were asked for, if any — after it was answered, or with outcome
 * `failure` when it was refused (ASVS V16.3.2: access to the log is itself logged). Numbers in
 * query strings arrive as digit strings and are parsed here; every range check is the service's.
 */
import type { FastifyRequest } from 'fastify';
import {
  AuditConsistencyProofSchema,
  AuditConsistencyQuerySchema,
  AuditEntryListSchema,
  AuditEntryQuerySchema,
  AuditInclusionProofSchema,
  AuditInclusionQuerySchema,
  AuditLatestCheckpointSchema,
  type AuditEntryQuery,
} from '@portcullis/protocol';
import {
  getConsistencyProof,
  getInclusionProof,
  latestCheckpoint,
  listEntries,
  type AuditEntryFilter,
  type AuditLogDeps,
} from '../../platform/audit/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export type AuditApiDeps = AuditLogDeps;

const TAGS = ['audit'];
const CONFIG = { auth: 'aal2', permission: 'audit:read', audit: 'audit.queried' } as const;

type QueryKind = 'entries' | 'checkpoint' | 'inclusion_proof' | 'consistency_proof';

/**
 * Runs `answer`, then records the query through the request's audit door: as `failure` when it
 * was refused, since a refused look at the log is as much worth knowing as an answered one.
 */
async function answerQuery<T>(request: FastifyRequest, kind: QueryKind, subject: string | null, answer: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await answer();
  } catch (error) {
    await request.audit('audit.queried', { outcome: 'failure', subject, detail: kind });
    throw error;
  }
  await request.audit('audit.queried', { subject, detail: kind });
  return result;
}

function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw appError('REQUEST_INVALID', { detail: `${name} is not a time` });
  return ms;
}

function filterOf(query: AuditEntryQuery): AuditEntryFilter {
  const from = time(query.from, 'from');
  const to = time(query.to, 'to');
  return {
    ...(query.actorId === undefined ? {} : { actorId: query.actorId }),
    ...(query.subjectId === undefined ? {} : { subjectId: query.subjectId }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

export function auditApiRoutes(deps: AuditApiDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.get(
      '/v1/audit/entries',
      {
        config: CONFIG,
        schema: {
          summary: 'List audit log entries (filter by actor, subject, action, time; newest first, paginated)',
          tags: TAGS,
          querystring: AuditEntryQuerySchema,
          response: { 200: AuditEntryListSchema },
        },
      },
      async (request) => {
        const query = request.query;
        const limit = query.limit === undefined ? undefined : Number(query.limit);
        if (limit !== undefined && limit > 500) throw appError('REQUEST_INVALID', { detail: 'limit above 500' });
        const filter = filterOf(query);
        return answerQuery(request, 'entries', query.subjectId ?? null, () =>
          listEntries(deps, filter, {
            ...(limit === undefined ? {} : { limit }),
            ...(query.before === undefined ? {} : { before: Number(query.before) }),
          }),
        );
      },
    );

    app.get(
      '/v1/audit/checkpoint',
      {
        config: CONFIG,
        schema: { summary: 'The latest signed checkpoint of the audit log', tags: TAGS, response: { 200: AuditLatestCheckpointSchema } },
      },
      async (request) => ({ checkpoint: await answerQuery(request, 'checkpoint', null, () => latestCheckpoint(deps)) }),
    );

    app.get(
      '/v1/audit/proofs/inclusion',
      {
        config: CONFIG,
        schema: {
          summary: 'RFC 9162 inclusion proof of an entry in a tree of a given size',
          tags: TAGS,
          querystring: AuditInclusionQuerySchema,
          response: { 200: AuditInclusionProofSchema },
        },
      },
      async (request) => {
        const query = request.query;
        return answerQuery(request, 'inclusion_proof', null, () =>
          getInclusionProof(deps, Number(query.entryIndex), Number(query.treeSize)),
        );
      },
    );

    app.get(
      '/v1/audit/proofs/consistency',
      {
        config: CONFIG,
        schema: {
          summary: 'RFC 9162 consistency proof between two tree sizes (checkpoints)',
          tags: TAGS,
          querystring: AuditConsistencyQuerySchema,
          response: { 200: AuditConsistencyProofSchema },
        },
      },
      async (request) => {
        const query = request.query;
        return answerQuery(request, 'consistency_proof', null, () =>
          getConsistencyProof(deps, Number(query.fromSize), Number(query.toSize)),
        );
      },
    );
  };
}
