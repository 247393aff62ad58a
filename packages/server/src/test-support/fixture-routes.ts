/**
 * @module test-support/fixture-routes
 *
 * Routes that exercise the platform from the outside the way real modules will: one per
 * authentication level, one needing a permission, one that fails unexpectedly, one that reads
 * the database, and a slow one for shutdown tests. Registered only by tests.
 */
import Type from 'typebox';
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { appError } from '../platform/errors/app-error.ts';
import type { Authenticator } from '../platform/routes/authentication.ts';
import type { Principal } from '../platform/routes/principal.ts';
import type { App } from '../app.ts';
import type { RouteApp } from '../platform/routes/route-app.ts';

const Ok = Type.Object({ ok: Type.Boolean() }, { additionalProperties: false });

export const FIXTURE_PROTECTED_ROUTES = [
  { method: 'GET', url: '/v1/fixture/me' },
  { method: 'POST', url: '/v1/fixture/records' },
  { method: 'DELETE', url: '/v1/fixture/records/:id' },
] as const;

export const fixtureRoutes: FastifyPluginAsync = async (app: RouteApp) => {
  const database = (app as unknown as App).portcullis.database;
  app.get(
    '/v1/fixture/public',
    { config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' }, schema: { response: { 200: Ok } } },
    async () => ({ ok: true }),
  );
  app.get(
    '/v1/fixture/me',
    {
      config: { auth: 'aal1', permission: 'none', audit: 'none' },
      schema: { response: { 200: Type.Object({ accountId: Type.String() }) } },
    },
    async (request) => ({ accountId: request.principal?.accountId ?? '' }),
  );
  app.post(
    '/v1/fixture/records',
    {
      config: { auth: 'aal2', permission: 'records:write_granted', audit: 'record.written' },
      schema: {
        body: Type.Object(
          { title: Type.String({ minLength: 1, maxLength: 50 }), count: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
        response: { 201: Ok },
      },
    },
    async (_request, reply) => reply.code(201).send({ ok: true }),
  );
  app.delete(
    '/v1/fixture/records/:id',
    {
      config: { auth: 'aal2_phr', permission: 'accounts:manage_access', audit: 'record.grant_revoked' },
      schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: Ok } },
    },
    async () => ({ ok: true }),
  );
  app.post(
    '/v1/fixture/echo',
    {
      config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
      schema: { body: Type.Object({ text: Type.String() }, { additionalProperties: false }), response: { 200: Ok } },
    },
    async () => ({ ok: true }),
  );
  app.get(
    '/v1/fixture/crash',
    { config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' }, schema: { response: { 200: Ok } } },
    async () => {
      throw new Error('boom: secret-internal-detail at /srv/app/db.ts');
    },
  );
  app.get(
    '/v1/fixture/refuse',
    { config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' }, schema: { response: { 200: Ok } } },
    async () => {
      throw appError('RATE_LIMITED', { detail: 'fixture', headers: { 'retry-after': '7' } });
    },
  );
  app.get(
    '/v1/fixture/db',
    { config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' }, schema: { response: { 200: Ok } } },
    async () => {
      await sql`select count(*) from instance_meta`.execute(database.db);
      return { ok: true };
    },
  );
  app.get(
    '/v1/fixture/slow',
    {
      config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
      schema: { querystring: Type.Object({ ms: Type.Optional(Type.String()) }), response: { 200: Ok } },
    },
    async (request) => {
      const ms = Number(request.query.ms ?? '300');
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { ok: true };
    },
  );
};

/** An authenticator that accepts `Authorization: Test <accountId> <aal> <perm,perm>` — for contract tests only. */
export const fixtureAuthenticator: Authenticator = {
  authenticate: (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Test ')) return Promise.resolve(null);
    const [accountId = '', aal = 'aal1', permissions = ''] = header.slice(5).split(' ');
    const principal: Principal = {
      accountId,
      sessionId: 'fixture-session',
      aal: aal as Principal['aal'],
      amr: ['pwd'],
      roles: [],
      permissions: new Set(permissions.split(',').filter(Boolean)),
    };
    return Promise.resolve(principal);
  },
};
