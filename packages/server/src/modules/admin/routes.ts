/**
 * @module modules/admin/routes
 *
 * HTTP for the admin API. The alerts (`alerts:read`) are what a console shows as its banner, the
 * security overview (`security:read`, admins) its settings and counts at a glance.
 * Account help (`accounts:read_masked`, `accounts:manage_access`) is for support and admins and
 * never shows an email address in full; the unmasked listing needs `accounts:read_personal` and
 * a fresh step-up. Resetting second factors and changing roles
 * need a step-up bound to the request. No route here reads a record or a message.
 */
import type { FastifyRequest } from 'fastify';
import {
  AccountIdParamsSchema,
  AdminAccountDetailSchema,
  AdminAccountListSchema,
  AdminAccountQuerySchema,
  AdminActionResultSchema,
  AdminAlertListSchema,
  AdminOverviewSchema,
  MfaResetResultSchema,
  RolesChangeRequestSchema,
  RolesChangeResultSchema,
  type AccountIdParams,
  type AdminAccountQuery,
} from '@portcullis/protocol';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS } from '../../platform/routes/contract.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import * as service from './service.ts';
import { listAlerts } from './alerts.ts';
import { securityOverview, type OverviewDeps } from './overview.ts';
import type { AdminDeps } from './service.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

const TAGS = ['admin'];
const STEP_UP = { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2_phr' } as const;

const accountIdOf = (request: { readonly params: AccountIdParams }) => request.params.accountId;

export function adminRoutes(deps: AdminDeps & { readonly overview: Omit<OverviewDeps, 'db' | 'access' | 'attackMode'> }) {
  return async function routes(app: RouteApp): Promise<void> {
    const list = (unmasked: boolean) => async (request: FastifyRequest & { query: AdminAccountQuery }) => {
      const query = request.query;
      return service.listAccounts(
        deps,
        { ...query, limit: query.limit === undefined ? undefined : Number(query.limit) },
        { unmasked },
        requestContext(request),
      );
    };

    app.get(
      '/v1/admin/alerts',
      {
        // Not audited: a console polls it for its banner, and it shows no account or personal data.
        config: { auth: 'aal2', permission: 'alerts:read', audit: 'none' },
        schema: {
          summary: 'Deployment-wide alerts for the admin banner (attack mode)',
          tags: TAGS,
          response: { 200: AdminAlertListSchema },
        },
      },
      async (request) => listAlerts(deps, requestContext(request)),
    );

    app.get(
      '/v1/admin/overview',
      {
        config: { auth: 'aal2', permission: 'security:read', audit: 'admin.overview_viewed' },
        schema: {
          summary: 'The security overview: TLS, key service, second-factor coverage per role, recent sign-in failures',
          tags: TAGS,
          response: { 200: AdminOverviewSchema },
        },
      },
      async (request) =>
        securityOverview({ ...deps.overview, db: deps.db, access: deps.access, attackMode: deps.attackMode }, requestContext(request)),
    );

    app.get(
      '/v1/admin/accounts',
      {
        config: { auth: 'aal2', permission: 'accounts:read_masked', audit: 'admin.accounts_listed' },
        schema: {
          summary: 'Search accounts (email masked)',
          tags: TAGS,
          querystring: AdminAccountQuerySchema,
          response: { 200: AdminAccountListSchema },
        },
      },
      list(false),
    );

    app.get(
      '/v1/admin/accounts/unmasked',
      {
        config: { auth: 'aal2', permission: 'accounts:read_personal', audit: 'admin.accounts_listed', stepUp: STEP_UP },
        schema: {
          summary: 'Search accounts with email addresses in full (step-up)',
          tags: TAGS,
          querystring: AdminAccountQuerySchema,
          response: { 200: AdminAccountListSchema },
        },
      },
      list(true),
    );

    app.get(
      '/v1/admin/accounts/:accountId',
      {
        config: { auth: 'aal2', permission: 'accounts:read_masked', audit: 'admin.account_viewed' },
        schema: {
          summary: 'One account (email masked) with its sessions and open elevations',
          tags: TAGS,
          params: AccountIdParamsSchema,
          response: { 200: AdminAccountDetailSchema },
        },
      },
      async (request) => service.viewAccount(deps, accountIdOf(request), requestContext(request)),
    );

    for (const [path, status, summary] of [
      ['lock', 'locked', 'Lock an account (ends every session)'],
      ['unlock', 'active', 'Unlock an account'],
    ] as const) {
      app.post(
        `/v1/admin/accounts/:accountId/${path}`,
        {
          config: {
            auth: 'aal2',
            permission: 'accounts:manage_access',
            audit: status === 'locked' ? 'account.locked' : 'account.unlocked',
          },
          schema: { summary, tags: TAGS, params: AccountIdParamsSchema, response: { 200: AdminActionResultSchema } },
        },
        async (request) =>
          service.setAccountStatus(deps, principalOf(request), { accountId: accountIdOf(request), status }, requestContext(request)),
      );
    }

    app.post(
      '/v1/admin/accounts/:accountId/sign-out',
      {
        config: { auth: 'aal2', permission: 'accounts:manage_access', audit: 'account.signed_out' },
        schema: {
          summary: 'Sign an account out everywhere',
          tags: TAGS,
          params: AccountIdParamsSchema,
          response: { 200: AdminActionResultSchema },
        },
      },
      async (request) => service.signOutEverywhere(deps, accountIdOf(request), requestContext(request)),
    );

    app.post(
      '/v1/admin/accounts/:accountId/mfa/reset',
      {
        config: { auth: 'aal2', permission: 'accounts:reset_mfa', audit: 'mfa.reset', stepUp: STEP_UP },
        schema: {
          summary: 'Remove the account’s second factors and passkeys (step-up; the person is told by email)',
          tags: TAGS,
          params: AccountIdParamsSchema,
          response: { 200: MfaResetResultSchema },
        },
      },
      async (request) => service.resetSecondFactors(deps, principalOf(request), accountIdOf(request), requestContext(request)),
    );

    app.put(
      '/v1/admin/accounts/:accountId/roles',
      {
        config: { auth: 'aal2', permission: 'roles:manage', audit: 'role.granted', stepUp: STEP_UP },
        schema: {
          summary: 'Set the account’s roles (step-up; the admin role waits for a second admin)',
          tags: TAGS,
          params: AccountIdParamsSchema,
          body: RolesChangeRequestSchema,
          response: { 200: RolesChangeResultSchema },
        },
      },
      async (request) => {
        const { roles } = request.body;
        return service.changeRoles(deps, principalOf(request), { accountId: accountIdOf(request), roles }, requestContext(request));
      },
    );
  };
}
