/**
 * @module modules/mfa/phone-routes
 *
 * HTTP surface of the phone factor for the signed-in person: add a number (a code is texted to
 * it), ask for another code, confirm, remove. The confirmed phone appears in
 * `GET /v1/mfa/factors`, masked. Numbers leave the server only masked; codes only in the text
 * message.
 */
import type { FastifyRequest } from 'fastify';
import {
  MfaFactorIdParamsSchema,
  PhoneCodeSentSchema,
  PhoneConfirmRequestSchema,
  PhoneConfirmationSchema,
  PhoneEnrolmentRequestSchema,
  PhoneEnrolmentSchema,
} from '@portcullis/protocol';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS } from '../../platform/routes/contract.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { AuditContext, OutOfBandDeps } from './deps.ts';
import { confirmPhoneEnrolment, removePhoneFactor, resendPhoneCode, startPhoneEnrolment } from './phone-enrolment.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

export interface PhoneRouteDeps {
  readonly mfa: OutOfBandDeps;
}

const TAGS = ['mfa'];

function auditContext(request: FastifyRequest): AuditContext {
  return { ...requestContext(request), sessionId: principalOf(request).sessionId };
}

export function phoneRoutes(deps: PhoneRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/mfa/phone',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'mfa.phone_added', enrolment: 'phone' },
        schema: {
          summary: 'Add a phone number for sign-in codes by SMS (a code is texted to it; confirm within 10 minutes)',
          description:
            'Only for accounts whose roles allow email and SMS codes (never staff), when SMS codes are enabled. Once the account has a confirmed second factor, adding a phone needs an aal2 session. One phone per account.',
          tags: TAGS,
          body: PhoneEnrolmentRequestSchema,
          response: { 201: PhoneEnrolmentSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { phoneNumber } = request.body;
        const enrolment = await startPhoneEnrolment(
          deps.mfa,
          { accountId: principal.accountId, aal: principal.aal, phoneNumber },
          auditContext(request),
        );
        return reply.code(201).send(enrolment);
      },
    );

    app.post(
      '/v1/mfa/phone/:id/resend',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'mfa.sms_code_sent', enrolment: 'phone' },
        schema: {
          summary: 'Text a new verification code to a phone that is being added (30 s apart, 5 an hour)',
          tags: TAGS,
          params: MfaFactorIdParamsSchema,
          response: { 202: PhoneCodeSentSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const sent = await resendPhoneCode(deps.mfa, { accountId: principalOf(request).accountId, factorId: id }, auditContext(request));
        return reply.code(202).send(sent);
      },
    );

    app.post(
      '/v1/mfa/phone/:id/confirm',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'mfa.phone_verified', enrolment: 'phone' },
        schema: {
          summary: 'Confirm a phone with the code texted to it (other sessions are signed out)',
          description: 'Returns the first set of recovery codes when the account has none yet; they are shown only in this answer.',
          tags: TAGS,
          params: MfaFactorIdParamsSchema,
          body: PhoneConfirmRequestSchema,
          response: { 200: PhoneConfirmationSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { id } = request.params;
        const { code } = request.body;
        return confirmPhoneEnrolment(
          deps.mfa,
          { accountId: principal.accountId, sessionId: principal.sessionId, aal: principal.aal, factorId: id, code },
          auditContext(request),
        );
      },
    );

    app.delete(
      '/v1/mfa/phone/:id',
      {
        // Step-up applies (ASVS V7.5.1): a password session alone cannot remove a second factor; the
        // person confirms with a second factor for this very removal (or signed in with one in the
        // last 5 minutes).
        config: {
          auth: 'aal1',
          permission: 'none',
          audit: 'mfa.phone_removed',
          stepUp: { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2' },
        },
        schema: {
          summary: 'Remove the phone (codes already sent stop working; other sessions are signed out)',
          tags: TAGS,
          params: MfaFactorIdParamsSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { id } = request.params;
        await removePhoneFactor(
          deps.mfa,
          { accountId: principal.accountId, sessionId: principal.sessionId, factorId: id },
          auditContext(request),
        );
        return reply.code(204).send();
      },
    );
  };
}
