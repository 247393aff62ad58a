/**
 * @module modules/mfa/routes
 *
 * HTTP surface of second factors for the signed-in person: enrol and confirm an authenticator
 * app, list factors, remove an app, generate recovery codes and see how many remain. Secrets
 * leave the server only in the enrolment and generation answers; every other answer carries
 * labels, dates and counts.
 */
import {
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
import type { EnrolmentDeps } from './deps.ts';
import { enrolmentStep, MFA_TAGS, registerPendingFactorRoutes } from './factor-routes.ts';
import { listFactors } from './factors.ts';
import { generateRecoveryCodes, getRecoveryCodeStatus } from './recovery-codes.ts';
import { confirmTotpEnrolment, removeTotpFactor, startTotpEnrolment } from './totp-enrolment.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export interface MfaRouteDeps {
  readonly mfa: EnrolmentDeps;
}

export function mfaRoutes(deps: MfaRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/mfa/totp',
      {
        config: enrolmentStep('mfa.totp_enrolment_started', 'totp'),
        schema: {
          summary: 'Start adding an authenticator app (returns the secret once; confirm within 10 minutes)',
          description:
            'Creates a pending TOTP factor with a new secret. Once the account has a confirmed factor, adding another needs an aal2 session.',
          tags: MFA_TAGS,
          body: TotpEnrolmentRequestSchema,
          response: { 201: TotpEnrolmentSchema },
        },
      },
      async (request, reply) => {
        const enrolment = await startTotpEnrolment(deps.mfa, principalOf(request), { label: request.body.label }, requestContext(request));
        return reply.code(201).send(enrolment);
      },
    );

    registerPendingFactorRoutes(app, {
      path: 'totp',
      confirm: {
        audit: 'mfa.totp_enrolment_confirmed',
        summary: 'Confirm an authenticator app with its first code (other sessions are signed out)',
        body: TotpConfirmRequestSchema,
        response: TotpConfirmationSchema,
        run: (owner, input, context) => confirmTotpEnrolment(deps.mfa, owner, input, context),
      },
      remove: {
        audit: 'mfa.totp_removed',
        summary: 'Remove an authenticator app (other sessions are signed out)',
        run: (owner, factorId, context) => removeTotpFactor(deps.mfa, owner, factorId, context),
      },
    });

    app.get(
      '/v1/mfa/factors',
      {
        // Part of setting up a second factor (which are already there?); not of a passkey-only enrolment.
        config: { auth: 'aal1', permission: 'none', audit: 'none', enrolment: 'totp' },
        schema: { summary: 'My second factors (never their secrets)', tags: MFA_TAGS, response: { 200: MfaFactorListSchema } },
      },
      async (request) => ({ factors: await listFactors(deps.mfa, principalOf(request).accountId) }),
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
          tags: MFA_TAGS,
          response: { 201: RecoveryCodesSchema },
        },
      },
      async (request, reply) => {
        const codes = await generateRecoveryCodes(deps.mfa, principalOf(request), requestContext(request));
        return reply.code(201).send(codes);
      },
    );

    app.get(
      '/v1/mfa/recovery-codes',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'none' },
        schema: {
          summary: 'How many recovery codes remain (never the codes)',
          tags: MFA_TAGS,
          response: { 200: RecoveryCodeStatusSchema },
        },
      },
      async (request) => getRecoveryCodeStatus(deps.mfa, principalOf(request).accountId),
    );
  };
}
