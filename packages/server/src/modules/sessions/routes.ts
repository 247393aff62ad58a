/**
 * @module modules/sessions/routes
 *
 * HTTP surface of sessions: refresh (public, proven by the refresh token and the bound DPoP
 * key), the signed-in person's own session list and revocations, and the "this was not me"
 * link of the new-device email (public, proven by the link's single-use token). Every query is
 * scoped to the caller's account inside the service.
 */
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  RefreshRequestSchema,
  RevokedSchema,
  SessionIdParamsSchema,
  SessionListSchema,
  TokenResponseSchema,
  type Problem,
  type Session,
} from '@portcullis/protocol';
import type { SessionsTable } from '../../platform/db/index.ts';
import { listElevations, listSessions, revokeSessions, rotateRefreshToken, type SessionsDeps } from './service.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { TokenRequestProof } from './token-request.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';
import { FORM_CONTENT_TYPE, registerFormBody } from '../../platform/http/form-body.ts';
import { isAppError } from '../../platform/errors/app-error.ts';
import { NOT_ME_PATH } from './device-notices.ts';
import { reportNotMe } from './not-me.ts';
import { NOT_ME_PAGE_HEADERS, confirmPage, invalidLinkPage, signedOutPage } from './not-me-page.ts';

/** The token of a "not me" link, as the query (GET) or the page's form (POST) carries it; checked by the service. */
const NotMeTokenSchema = Type.Object(
  { t: Type.String({ minLength: 1, maxLength: 128, description: 'The token of the link in the new-device email.' }) },
  { additionalProperties: false },
);
const HtmlPageSchema = Type.String({ description: 'An HTML page (`text/html`): static text, no script, its own strict CSP.' });
/** The page's form carries one short token. */
const NOT_ME_FORM_LIMIT_BYTES = 1024;

/** JSON only for a client that asks for it and not for HTML: a browser submitting the page's form gets a page. */
function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/i.test(accept) && !/text\/html/i.test(accept);
}

export interface SessionsRouteDeps {
  readonly sessions: SessionsDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

function toSessionDto(session: SessionsTable, currentId: string): Session {
  return {
    id: session.id,
    current: session.id === currentId,
    device: { label: session.device_label, platform: session.device_platform },
    createdAt: new Date(session.created_at).toISOString(),
    lastUsedAt: new Date(session.last_used_at).toISOString(),
    expiresAt: new Date(Math.min(session.idle_expires_at, session.absolute_expires_at)).toISOString(),
    location: session.ip_prefix,
    aal: session.aal,
  };
}

export function sessionsRoutes(deps: SessionsRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/sessions/refresh',
      {
        config: { auth: 'public', permission: 'none', audit: 'session.refreshed', limit: 'none' },
        schema: {
          summary: 'Rotate a refresh token (DPoP proof of the bound key required)',
          tags: ['sessions'],
          body: RefreshRequestSchema,
          response: { 200: TokenResponseSchema },
        },
      },
      async (request) => {
        const jkt = await deps.tokenRequestProof(request);
        const { refreshToken } = request.body;
        return rotateRefreshToken(deps.sessions, { refreshToken, jkt }, requestContext(request));
      },
    );

    // The link of the new-device email. GET only shows a page with a button: mail scanners and
    // link previews fetch links in mail on their own, and a GET that ended sessions would sign
    // people out at random (and let a scanner spend the link before the person sees it).
    app.get(
      NOT_ME_PATH,
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'network' },
        schema: {
          summary: 'The "this was not me" page of a new-device email (changes nothing; its button posts the form below)',
          tags: ['sessions'],
          querystring: NotMeTokenSchema,
          response: { 200: HtmlPageSchema },
        },
      },
      async (request, reply) => reply.headers(NOT_ME_PAGE_HEADERS).send(confirmPage(request.query.t)),
    );

    await app.register(async (formScope: RouteApp) => {
      registerFormBody(formScope, { bodyLimitBytes: NOT_ME_FORM_LIMIT_BYTES });
      // The page's form posts here from this origin (the CORS guard lets the own origin through);
      // the single-use token is the proof, so no session is needed. HTML by default, JSON on request.
      formScope.post(
        NOT_ME_PATH,
        {
          config: { auth: 'public', permission: 'none', audit: 'session.reported_not_me', limit: 'network' },
          schema: {
            summary: 'Sign out the device a new-device email reported ("this was not me"); the link works once',
            tags: ['sessions'],
            consumes: [FORM_CONTENT_TYPE, 'application/json'],
            body: NotMeTokenSchema,
            response: {
              200: Type.Union([RevokedSchema, HtmlPageSchema]),
              // A refused link: the page for a browser, the problem for a client asking for JSON.
              400: Type.Union([HtmlPageSchema, Type.Unsafe<Problem>({ $ref: 'Problem#' })]),
            },
          },
        },
        async (request, reply) => {
          const json = wantsJson(request);
          const outcome = await reportNotMe(deps.sessions, request.body.t, requestContext(request)).catch((error: unknown) => {
            if (json || !isAppError(error) || error.code !== 'DEVICE_NOTICE_INVALID') throw error;
            return undefined;
          });
          if (outcome === undefined) return reply.code(400).headers(NOT_ME_PAGE_HEADERS).send(invalidLinkPage());
          return json ? outcome : reply.headers(NOT_ME_PAGE_HEADERS).send(signedOutPage());
        },
      );
    });

    app.get(
      '/v1/sessions',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'none' },
        schema: { summary: 'List my active sessions', tags: ['sessions'], response: { 200: SessionListSchema } },
      },
      async (request) => {
        const principal = principalOf(request);
        const sessions = await listSessions(deps.sessions, principal.accountId);
        const elevations = await listElevations(deps.sessions, principal.accountId);
        return {
          sessions: sessions.map((s) => toSessionDto(s, principal.sessionId)),
          elevations: elevations.map((e) => ({ id: e.id, role: e.role, expiresAt: new Date(e.expiresAt).toISOString() })),
        };
      },
    );

    app.delete(
      '/v1/sessions/current',
      {
        // Any restricted session may end itself (an enrolment abandoned, or finished and replaced by a full sign-in).
        config: { auth: 'aal1', permission: 'none', audit: 'session.revoked', enrolment: 'any' },
        schema: { summary: 'Sign out (revoke this session)', tags: ['sessions'], response: { 200: RevokedSchema } },
      },
      async (request) => {
        const principal = principalOf(request);
        const revoked = await revokeSessions(
          deps.sessions,
          { accountId: principal.accountId, only: principal.sessionId, reason: 'sign_out' },
          requestContext(request),
        );
        return { revoked };
      },
    );

    app.delete(
      '/v1/sessions/:id',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'session.revoked' },
        schema: {
          summary: 'Revoke one of my sessions',
          tags: ['sessions'],
          params: SessionIdParamsSchema,
          response: { 200: RevokedSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { id } = request.params;
        const revoked = await revokeSessions(
          deps.sessions,
          { accountId: principal.accountId, only: id, reason: 'user_revoked' },
          requestContext(request),
        );
        return { revoked };
      },
    );

    app.post(
      '/v1/sessions/revoke-others',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'session.revoked' },
        schema: { summary: 'Revoke all my other sessions', tags: ['sessions'], response: { 200: RevokedSchema } },
      },
      async (request) => {
        const principal = principalOf(request);
        const revoked = await revokeSessions(
          deps.sessions,
          { accountId: principal.accountId, except: principal.sessionId, reason: 'user_revoked_others' },
          requestContext(request),
        );
        return { revoked };
      },
    );
  };
}
