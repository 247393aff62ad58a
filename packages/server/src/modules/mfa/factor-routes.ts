/**
 * @module modules/mfa/factor-routes
 *
 * The HTTP side of the lifecycle authenticator apps and phones share (factor-lifecycle.ts):
 * a factor added in two steps is confirmed at `POST /v1/mfa/{kind}/{id}/confirm` and removed at
 * `DELETE /v1/mfa/{kind}/{id}`, with the same contracts for both kinds. Each kind registers its
 * own first step (what it takes and answers differs), under `enrolmentStep`, and these two
 * routes with its paths, texts and functions.
 */
import type {
  PhoneConfirmRequestSchema,
  PhoneConfirmationSchema,
  TotpConfirmRequestSchema,
  TotpConfirmationSchema,
} from '@portcullis/protocol';
import { MfaFactorIdParamsSchema } from '@portcullis/protocol';
import type { Static } from 'typebox';
import type { AuditAction } from '../../platform/audit/catalogue.ts';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS, type EnrolmentFactor } from '../../platform/routes/contract.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';
import type { FactorOwner } from './deps.ts';

export const MFA_TAGS = ['mfa'];

/**
 * The contract of a step in adding a `factor`: the signed-in person's own, and open to a
 * session restricted to enrolling that factor (it may be adding the very factor its role
 * requires). The level needed once the account has a factor is checked by the step itself
 * (enrolment-level.ts).
 */
export function enrolmentStep<Action extends AuditAction, Factor extends EnrolmentFactor>(audit: Action, factor: Factor) {
  return { auth: 'aal1', permission: 'none', audit, enrolment: factor } as const;
}

type ConfirmRequestSchema = typeof TotpConfirmRequestSchema | typeof PhoneConfirmRequestSchema;
type ConfirmationSchema = typeof TotpConfirmationSchema | typeof PhoneConfirmationSchema;

/** What one kind of factor plugs into the shared routes. */
export interface PendingFactorKind {
  /** The path segment after `/v1/mfa/`, and the factor a restricted session must be allowed to enrol. */
  readonly path: Extract<EnrolmentFactor, 'totp' | 'phone'>;
  readonly confirm: {
    readonly audit: 'mfa.totp_enrolment_confirmed' | 'mfa.phone_verified';
    readonly summary: string;
    readonly body: ConfirmRequestSchema;
    readonly response: ConfirmationSchema;
    readonly run: (
      owner: FactorOwner,
      input: { readonly factorId: string; readonly code: string },
      context: RequestContext,
    ) => Promise<Static<ConfirmationSchema>>;
  };
  readonly remove: {
    readonly audit: 'mfa.totp_removed' | 'mfa.phone_removed';
    readonly summary: string;
    readonly run: (owner: FactorOwner, factorId: string, context: RequestContext) => Promise<void>;
  };
}

export function registerPendingFactorRoutes(app: RouteApp, kind: PendingFactorKind): void {
  app.post(
    `/v1/mfa/${kind.path}/:id/confirm`,
    {
      config: enrolmentStep(kind.confirm.audit, kind.path),
      schema: {
        summary: kind.confirm.summary,
        description: 'Returns the first set of recovery codes when the account has none yet; they are shown only in this answer.',
        tags: MFA_TAGS,
        params: MfaFactorIdParamsSchema,
        body: kind.confirm.body,
        response: { 200: kind.confirm.response },
      },
    },
    async (request) =>
      kind.confirm.run(principalOf(request), { factorId: request.params.id, code: request.body.code }, requestContext(request)),
  );

  app.delete(
    `/v1/mfa/${kind.path}/:id`,
    {
      // ASVS V7.5.1: a password session alone cannot remove a second factor; the person confirms
      // with a second factor for this very removal (or signed in with one in the last 5 minutes).
      config: {
        auth: 'aal1',
        permission: 'none',
        audit: kind.remove.audit,
        stepUp: { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2' },
      },
      schema: { summary: kind.remove.summary, tags: MFA_TAGS, params: MfaFactorIdParamsSchema, response: { 204: NoContentSchema } },
    },
    async (request, reply) => {
      await kind.remove.run(principalOf(request), request.params.id, requestContext(request));
      return reply.code(204).send();
    },
  );
}
