/**
 * @module modules/assurance/routes
 *
 * `POST /v1/sessions/mfa`: the second step of a sign-in that answered `MFA_REQUIRED`, and
 * `POST /v1/sessions/mfa/send`, which sends a one-time code for that challenge by email or SMS
 * when the challenge offers one. Public like the first step (the caller has no session yet),
 * proven by the challenge token plus a DPoP proof from the key that passed the first factor.
 */
import { MfaCodeSentSchema, MfaSendCodeRequestSchema, MfaSignInRequestSchema, TokenResponseSchema } from '@portcullis/protocol';
import type { TokenRequestProof } from '../sessions/index.ts';
import { requestContext } from '../../platform/routes/request.ts';
import type { AssuranceDeps } from './deps.ts';
import { completeSecondFactor, sendChallengeCode } from './sign-in.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export interface AssuranceRouteDeps {
  readonly assurance: AssuranceDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

export function assuranceRoutes(deps: AssuranceRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/sessions/mfa',
      {
        config: { auth: 'public', permission: 'none', audit: 'session.created', limit: 'network' },
        schema: {
          summary:
            'Finish a sign-in that answered MFA_REQUIRED with an authenticator-app, recovery, email or SMS code (DPoP proof of the same key)',
          tags: ['sessions'],
          body: MfaSignInRequestSchema,
          response: { 201: TokenResponseSchema },
        },
      },
      async (request, reply) => {
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body;
        const tokens = await completeSecondFactor(deps.assurance, { ...body, jkt }, requestContext(request));
        return reply.code(201).send(tokens);
      },
    );

    app.post(
      '/v1/sessions/mfa/send',
      {
        config: { auth: 'public', permission: 'none', audit: ['mfa.email_code_sent', 'mfa.sms_code_sent'], limit: 'network' },
        schema: {
          summary: 'Send a one-time code for an MFA_REQUIRED challenge by email or SMS (DPoP proof of the same key)',
          description:
            'Only when the challenge offers `email_code` or `sms_code`: accounts whose roles allow one-factor sign-in, never staff. A new code replaces the previous one of the same channel; at most 3 codes per challenge, 30 seconds apart. Answer with `POST /v1/sessions/mfa`.',
          tags: ['sessions'],
          body: MfaSendCodeRequestSchema,
          response: { 202: MfaCodeSentSchema },
        },
      },
      async (request, reply) => {
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body;
        const sent = await sendChallengeCode(deps.assurance, { ...body, jkt }, requestContext(request));
        return reply.code(202).send(sent);
      },
    );
  };
}
