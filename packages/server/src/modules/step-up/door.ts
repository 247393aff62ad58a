/**
 * @module modules/step-up/door
 *
 * The step-up module's side of the platform port (platform/routes/step-up.ts): the platform's
 * hook decides when a step-up is needed; this stores, checks and spends the challenges.
 */
import type { FastifyRequest } from 'fastify';
import type { StepUpAction, StepUpChallenges } from '../../platform/routes/step-up.ts';
import { requestContext } from '../../platform/routes/request.ts';
import type { StepUpContext, StepUpDeps } from './deps.ts';
import { issueStepUpChallenge } from './issue.ts';
import { redeemStepUp } from './redeem.ts';

function contextOf(request: FastifyRequest, action: StepUpAction): StepUpContext {
  return { ...requestContext(request), sessionId: action.principal.sessionId, accountId: action.principal.accountId };
}

export function createStepUpChallenges(deps: StepUpDeps): StepUpChallenges {
  return {
    issue: (request, action) => issueStepUpChallenge(deps, action, contextOf(request, action)),
    redeem: (request, token, action) => redeemStepUp(deps, token, action, contextOf(request, action)),
  };
}
