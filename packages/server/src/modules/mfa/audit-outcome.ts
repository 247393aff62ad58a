/**
 * @module modules/mfa/audit-outcome
 *
 * One place that turns an MFA outcome into an audit event: the account acting on itself, the
 * request identifiers, and for failures a snake_case reason — never a code, seed or label.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { writeAuditEvent } from '../../platform/audit/audit.ts';
import type { AuditAction } from '../../platform/audit/catalogue.ts';
import type { AuditContext } from './deps.ts';

export async function auditMfaEvent(
  tx: Transaction<Database>,
  clock: Clock,
  event: { action: AuditAction; accountId: string; reason?: string },
  context: AuditContext,
): Promise<void> {
  await writeAuditEvent(tx, clock, {
    action: event.action,
    outcome: event.reason === undefined ? 'success' : 'failure',
    actorId: event.accountId,
    subjectId: event.accountId,
    ...context,
    reason: event.reason ?? null,
  });
}
