/**
 * @module modules/assurance/routes
 *
 * `POST /v1/sessions/mfa`: the second step of a sign-in that answered `MFA_REQUIRED`. Public like
 * the first step (the caller has no session yet), proven by the challenge token plus a DPoP proof
 * from the key that passed the first factor.
 */
import type { FastifyInstance } from 'fastify';
import { MfaSignInRequestSchema, TokenResponseSchema, type MfaSignInRequest } from '@portcullis/protocol';
import { requestContext, type TokenRequestProof } from '../sessions/index.ts';
import type { AssuranceDeps } from './deps.ts';
import { completeSecondFactor } from './sign-in.ts';

export interface AssuranceRouteDeps {
  readonly assurance: AssuranceDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

export function assuranceRoutes(deps: AssuranceRouteDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post(
      '/v1/sessions/mfa',
      {
        config: { auth: 'public', permission: 'none', audit: 'session.created' },
        schema: {
          summary: 'Finish a sign-in that answered MFA_REQUIRED with an authenticator-app or recovery code (DPoP proof of the same key)',
          tags: ['sessions'],
          body: MfaSignInRequestSchema,
          response: { 201: TokenResponseSchema },
        },
      },
      async (request, reply) => {
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body as MfaSignInRequest;
        const tokens = await completeSecondFactor(deps.assurance, { ...body, jkt }, requestContext(request));
        return reply.code(201).send(tokens);
      },
    );
  };
}
