/**
 * @module modules/sessions/routes
 *
 * HTTP surface of sessions: refresh (public, proven by the refresh token and the bound DPoP
 * key), and the signed-in person's own session list and revocations. Every query is scoped to
 * the caller's account inside the service.
 */
import {
  RefreshRequestSchema,
  RevokedSchema,
  SessionIdParamsSchema,
  SessionListSchema,
  TokenResponseSchema,
  type Session,
} from '@portcullis/protocol';
import type { SessionsTable } from '../../platform/db/index.ts';
import { listElevations, listSessions, revokeSessions, rotateRefreshToken, type SessionsDeps } from './service.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { TokenRequestProof } from './token-request.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

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
