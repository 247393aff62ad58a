/**
 * @module modules/step-up/audit-event
 *
 * Step-up audit events: `step_up.challenge_issued`, `step_up.verified`, `step_up.failed` and
 * `step_up.used`, written through the platform's one audit door with the acting account and
 * session and a snake_case reason — never a token, code or assertion.
 */
import { writeAuditEvent } from '../../platform/audit/audit.ts';
import type { StepUpDeps, StepUpContext } from './deps.ts';

export type StepUpAuditAction = 'step_up.challenge_issued' | 'step_up.verified' | 'step_up.failed' | 'step_up.used';

export async function auditStepUp(
  deps: Pick<StepUpDeps, 'db' | 'clock'>,
  action: StepUpAuditAction,
  context: StepUpContext,
  reason: string,
): Promise<void> {
  const { accountId, ...request } = context;
  await writeAuditEvent(deps.db, deps.clock, {
    action,
    outcome: action === 'step_up.failed' ? 'failure' : 'success',
    actorId: accountId,
    subjectId: accountId,
    ...request,
    reason,
  });
}
