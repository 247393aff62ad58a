/**
 * @module modules/step-up/routes
 *
 * Answering a `STEP_UP_REQUIRED` challenge, from the session that received it: with a code
 * (`POST /v1/step-up/verify`) or with a passkey (`POST /v1/step-up/passkey/options`, then
 * `POST /v1/step-up/passkey/verify`). Answering authorizes nothing by itself: the client then
 * repeats the original request with the token in the `Portcullis-Step-Up` header.
 */
import type { FastifyRequest } from 'fastify';
import {
  StepUpPasskeyOptionsRequestSchema,
  StepUpPasskeyOptionsSchema,
  StepUpPasskeyVerifyRequestSchema,
  StepUpVerificationSchema,
  StepUpVerifyRequestSchema,
} from '@portcullis/protocol';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import { answerWithCode } from './answer-code.ts';
import { answerWithPasskey, passkeyOptions } from './answer-passkey.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

const TAGS = ['step-up'];

function contextOf(request: FastifyRequest): StepUpContext {
  const principal = principalOf(request);
  return { ...requestContext(request), sessionId: principal.sessionId, accountId: principal.accountId };
}

export function stepUpRoutes(deps: StepUpDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/step-up/verify',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'step_up.verified' },
        schema: {
          summary: 'Answer a STEP_UP_REQUIRED challenge with an authenticator-app or recovery code (same session)',
          description:
            'Then repeat the original request, unchanged, with the challenge token in the `Portcullis-Step-Up` header. Wrong codes count against the challenge (`mfa.attemptsPerChallenge`) and the account (`mfa.attemptsPerAccount`).',
          tags: TAGS,
          body: StepUpVerifyRequestSchema,
          response: { 200: StepUpVerificationSchema },
        },
      },
      async (request) => answerWithCode(deps, request.body, contextOf(request)),
    );

    app.post(
      '/v1/step-up/passkey/options',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'none' },
        schema: {
          summary: 'Start answering a STEP_UP_REQUIRED challenge with a passkey: request options whose challenge commits to the action',
          tags: TAGS,
          body: StepUpPasskeyOptionsRequestSchema,
          response: { 200: StepUpPasskeyOptionsSchema },
        },
      },
      async (request) => passkeyOptions(deps, request.body.challenge, contextOf(request)),
    );

    app.post(
      '/v1/step-up/passkey/verify',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'step_up.verified' },
        schema: {
          summary: 'Answer a STEP_UP_REQUIRED challenge with a passkey assertion (user verification required)',
          description: 'Then repeat the original request, unchanged, with the challenge token in the `Portcullis-Step-Up` header.',
          tags: TAGS,
          body: StepUpPasskeyVerifyRequestSchema,
          response: { 200: StepUpVerificationSchema },
        },
      },
      async (request) => answerWithPasskey(deps, request.body, contextOf(request)),
    );
  };
}
