/**
 * @module modules/mfa/routes
 *
 * HTTP surface of second factors for the signed-in person: enrol and confirm an authenticator
 * app, list factors, remove an app, generate recovery codes and see how many remain. Secrets
 * leave the server only in the enrolment and generation answers; every other answer carries
 * labels, dates and counts.
 */
import type { FastifyRequest } from 'fastify';
import {
  MfaFactorIdParamsSchema,
  MfaFactorListSchema,
  RecoveryCodeStatusSchema,
  RecoveryCodesSchema,
  TotpConfirmRequestSchema,
  TotpConfirmationSchema,
  TotpEnrolmentRequestSchema,
  TotpEnrolmentSchema,
} from '@portcullis/protocol';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS } from '../../platform/routes/contract.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { AuditContext, MfaDeps } from './deps.ts';
import { listFactors } from './factors.ts';
import { generateRecoveryCodes, getRecoveryCodeStatus } from './recovery-codes.ts';
import { confirmTotpEnrolment, removeTotpFactor, startTotpEnrolment } from './totp-enrolment.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

export interface MfaRouteDeps {
  readonly mfa: MfaDeps;
}

const TAGS = ['mfa'];

function auditContext(request: FastifyRequest): AuditContext {
  return { ...requestContext(request), sessionId: principalOf(request).sessionId };
}

export function mfaRoutes(deps: MfaRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/mfa/totp',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'mfa.totp_enrolment_started', enrolment: 'totp' },
        schema: {
          summary: 'Start adding an authenticator app (returns the secret once; confirm within 10 minutes)',
          description:
            'Creates a pending TOTP factor with a new secret. Once the account has a confirmed factor, adding another needs an aal2 session.',
          tags: TAGS,
          body: TotpEnrolmentRequestSchema,
          response: { 201: TotpEnrolmentSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const body = request.body;
        const enrolment = await startTotpEnrolment(
          deps.mfa,
          { accountId: principal.accountId, aal: principal.aal, label: body.label },
          auditContext(request),
        );
        return reply.code(201).send(enrolment);
      },
    );

    app.post(
      '/v1/mfa/totp/:id/confirm',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'mfa.totp_enrolment_confirmed', enrolment: 'totp' },
        schema: {
          summary: 'Confirm an authenticator app with its first code (other sessions are signed out)',
          description: 'Returns the first set of recovery codes when the account has none yet; they are shown only in this answer.',
          tags: TAGS,
          params: MfaFactorIdParamsSchema,
          body: TotpConfirmRequestSchema,
          response: { 200: TotpConfirmationSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { id } = request.params;
        const { code } = request.body;
        return confirmTotpEnrolment(
          deps.mfa,
          { accountId: principal.accountId, sessionId: principal.sessionId, aal: principal.aal, factorId: id, code },
          auditContext(request),
        );
      },
    );

    app.get(
      '/v1/mfa/factors',
      {
        // Part of setting up a second factor (which are already there?); not of a passkey-only enrolment.
        config: { auth: 'aal1', permission: 'none', audit: 'none', enrolment: 'totp' },
        schema: { summary: 'My second factors (never their secrets)', tags: TAGS, response: { 200: MfaFactorListSchema } },
      },
      async (request) => ({ factors: await listFactors(deps.mfa, principalOf(request).accountId) }),
    );

    app.delete(
      '/v1/mfa/totp/:id',
      {
        // ASVS V7.5.1: a password session alone cannot remove a second factor; the person confirms
        // with a second factor for this very removal (or signed in with one in the last 5 minutes).
        config: {
          auth: 'aal1',
          permission: 'none',
          audit: 'mfa.totp_removed',
          stepUp: { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2' },
        },
        schema: {
          summary: 'Remove an authenticator app (other sessions are signed out)',
          tags: TAGS,
          params: MfaFactorIdParamsSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { id } = request.params;
        await removeTotpFactor(
          deps.mfa,
          { accountId: principal.accountId, sessionId: principal.sessionId, factorId: id },
          auditContext(request),
        );
        return reply.code(204).send();
      },
    );

    app.post(
      '/v1/mfa/recovery-codes',
      {
        // ASVS V7.5.1: replacing recovery codes changes how the account is recovered, so it needs
        // a step-up bound to this request. The first set comes with the first TOTP confirmation.
        config: {
          auth: 'aal1',
          permission: 'none',
          audit: 'mfa.recovery_codes_generated',
          stepUp: { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2' },
        },
        schema: {
          summary: 'Generate a new set of recovery codes; every earlier code stops working (other sessions are signed out)',
          tags: TAGS,
          response: { 201: RecoveryCodesSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const codes = await generateRecoveryCodes(
          deps.mfa,
          { accountId: principal.accountId, sessionId: principal.sessionId },
          auditContext(request),
        );
        return reply.code(201).send(codes);
      },
    );

    app.get(
      '/v1/mfa/recovery-codes',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'none' },
        schema: { summary: 'How many recovery codes remain (never the codes)', tags: TAGS, response: { 200: RecoveryCodeStatusSchema } },
      },
      async (request) => getRecoveryCodeStatus(deps.mfa, principalOf(request).accountId),
    );
  };
}
