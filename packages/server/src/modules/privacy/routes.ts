/**
 * @module modules/privacy/routes
 *
 * HTTP for the person's rights of access and erasure: `GET /v1/accounts/me/export` returns
 * everything held about the caller; `DELETE /v1/accounts/me` erases the caller; the admin
 * routes (`accounts:erase`) ask for someone's erasure and approve another administrator's
 * request. Each either hands out everything about a person or destroys it for good, so each
 * needs a fresh authentication bound to the very request (step-up).
 */
import {
  AccountExportSchema,
  AccountIdParamsSchema,
  ErasureIdParamsSchema,
  ErasureListSchema,
  ErasureReceiptSchema,
  ErasureRequestSchema,
  ErasureSchema,
} from '@portcullis/protocol';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS } from '../../platform/routes/contract.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';
import { approveErasure, eraseOwnAccount, listPendingErasures, requestErasure, type ErasureDeps } from './erasure.ts';
import { exportOwnData, type ExportDeps } from './export.ts';

const TAGS = ['privacy'];
/** A person proves it is them again: any second factor (many patients have no passkey). */
const OWN_STEP_UP = { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2' } as const;
/** Administrators, as for every other admin action that cannot be undone. */
const ADMIN_STEP_UP = { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2_phr' } as const;

export interface PrivacyRouteDeps {
  readonly erasure: ErasureDeps;
  readonly export: ExportDeps;
}

export function privacyRoutes(deps: PrivacyRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.delete(
      '/v1/accounts/me',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'account.erased', stepUp: OWN_STEP_UP },
        schema: {
          summary: 'Erase my account: my data keys are destroyed and my data deleted; answers with a receipt',
          tags: TAGS,
          response: { 200: ErasureReceiptSchema },
        },
      },
      async (request) => eraseOwnAccount(deps.erasure, principalOf(request), requestContext(request)),
    );

    app.get(
      '/v1/accounts/me/export',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'account.exported', stepUp: OWN_STEP_UP },
        schema: {
          summary: 'Download everything held about me as one JSON document (the schema is published)',
          description:
            'Follows `AccountExportSchema` (`docs/schemas/account-export.schema.json`, named in `$schema`). Metadata only for sessions, second factors and passkeys: no password hash, seed, code, token or key is ever part of it.',
          tags: TAGS,
          response: { 200: AccountExportSchema },
        },
      },
      async (request) => exportOwnData(deps.export, principalOf(request), requestContext(request)),
    );

    app.post(
      '/v1/admin/accounts/:accountId/erasure',
      {
        config: { auth: 'aal2', permission: 'accounts:erase', audit: 'account.erasure_requested', stepUp: ADMIN_STEP_UP },
        schema: {
          summary: "Ask for an account's erasure, with a reason; a second administrator approves it",
          tags: TAGS,
          params: AccountIdParamsSchema,
          body: ErasureRequestSchema,
          response: { 201: ErasureSchema },
        },
      },
      async (request, reply) => {
        const erasure = await requestErasure(
          deps.erasure,
          principalOf(request),
          { accountId: request.params.accountId, reason: request.body.reason },
          requestContext(request),
        );
        return reply.code(201).send(erasure);
      },
    );

    app.get(
      '/v1/admin/erasures',
      {
        config: { auth: 'aal2', permission: 'accounts:erase', audit: 'none' },
        schema: { summary: 'List erasures waiting for approval', tags: TAGS, response: { 200: ErasureListSchema } },
      },
      async () => ({ erasures: await listPendingErasures(deps.erasure) }),
    );

    app.post(
      '/v1/admin/erasures/:erasureId/approve',
      {
        config: {
          auth: 'aal2',
          permission: 'accounts:erase',
          audit: ['account.erasure_approved', 'account.erased'],
          stepUp: ADMIN_STEP_UP,
        },
        schema: {
          summary: 'Approve (and so carry out) an erasure another administrator asked for',
          tags: TAGS,
          params: ErasureIdParamsSchema,
          response: { 200: ErasureReceiptSchema },
        },
      },
      async (request) => approveErasure(deps.erasure, principalOf(request), request.params.erasureId, requestContext(request)),
    );
  };
}
