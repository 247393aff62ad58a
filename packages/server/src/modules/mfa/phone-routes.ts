/**
 * @module modules/mfa/phone-routes
 *
 * HTTP surface of the phone factor for the signed-in person: add a number (a code is texted to
 * it), ask for another code, confirm, remove. The confirmed phone appears in
 * `GET /v1/mfa/factors`, masked. Numbers leave the server only masked; codes only in the text
 * message.
 */
import {
  MfaFactorIdParamsSchema,
  PhoneCodeSentSchema,
  PhoneConfirmRequestSchema,
  PhoneConfirmationSchema,
  PhoneEnrolmentRequestSchema,
  PhoneEnrolmentSchema,
} from '@portcullis/protocol';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { EnrolmentDeps, OutOfBandDeps } from './deps.ts';
import { enrolmentStep, MFA_TAGS, registerPendingFactorRoutes } from './factor-routes.ts';
import { confirmPhoneEnrolment, removePhoneFactor, resendPhoneCode, startPhoneEnrolment } from './phone-enrolment.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export interface PhoneRouteDeps {
  readonly mfa: OutOfBandDeps & EnrolmentDeps;
}

export function phoneRoutes(deps: PhoneRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/mfa/phone',
      {
        config: enrolmentStep('mfa.phone_added', 'phone'),
        schema: {
          summary: 'Add a phone number for sign-in codes by SMS (a code is texted to it; confirm within 10 minutes)',
          description:
            'Only for accounts whose roles allow email and SMS codes (never staff), when SMS codes are enabled. Once the account has a confirmed second factor, adding a phone needs an aal2 session. One phone per account.',
          tags: MFA_TAGS,
          body: PhoneEnrolmentRequestSchema,
          response: { 201: PhoneEnrolmentSchema },
        },
      },
      async (request, reply) => {
        const { phoneNumber } = request.body;
        const enrolment = await startPhoneEnrolment(deps.mfa, principalOf(request), { phoneNumber }, requestContext(request));
        return reply.code(201).send(enrolment);
      },
    );

    app.post(
      '/v1/mfa/phone/:id/resend',
      {
        config: enrolmentStep('mfa.sms_code_sent', 'phone'),
        schema: {
          summary: 'Text a new verification code to a phone that is being added (30 s apart, 5 an hour)',
          tags: MFA_TAGS,
          params: MfaFactorIdParamsSchema,
          response: { 202: PhoneCodeSentSchema },
        },
      },
      async (request, reply) => {
        const sent = await resendPhoneCode(deps.mfa, principalOf(request), request.params.id, requestContext(request));
        return reply.code(202).send(sent);
      },
    );

    registerPendingFactorRoutes(app, {
      path: 'phone',
      confirm: {
        audit: 'mfa.phone_verified',
        summary: 'Confirm a phone with the code texted to it (other sessions are signed out)',
        body: PhoneConfirmRequestSchema,
        response: PhoneConfirmationSchema,
        run: (owner, input, context) => confirmPhoneEnrolment(deps.mfa, owner, input, context),
      },
      remove: {
        audit: 'mfa.phone_removed',
        summary: 'Remove the phone (codes already sent stop working; other sessions are signed out)',
        run: (owner, factorId, context) => removePhoneFactor(deps.mfa, owner, factorId, context),
      },
    });
  };
}
