/**
 * @module platform/audit
 *
 * The audit door's one write: every security event ends here, inside the same transaction as the
 * change it records when there is one. Request handlers reach it through `request.audit`
 * (request-audit.ts), which fills in who asked and from where; services get the same door in
 * their `RequestContext` (a detached one for the command line). Only platform code calls
 * `writeAuditEvent` directly. Events carry identifiers, an action named `domain.verb_past`, an
 * outcome and a short machine reason — never secrets, codes, passwords, email addresses or
 * names. Each event becomes the next entry of the tamper-evident log (`log/append.ts`): an
 * RFC 9162 Merkle tree whose signed checkpoints let anyone detect a changed, removed, inserted
 * or reordered entry.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../clock/clock.ts';
import { appendEntry } from './log/append.ts';
import type { AuditEventRow } from './log/entry.ts';
import { isAuditAction, type AuditAction } from './catalogue.ts';

export interface AuditEvent {
  readonly action: AuditAction;
  readonly outcome: 'success' | 'failure';
  readonly actorId?: string | null;
  readonly subjectId?: string | null;
  readonly sessionId?: string | null;
  readonly requestId?: string | null;
  readonly ipPrefix?: string | null;
  /** Short machine reason (`bad_password`, `unknown_account`, `reuse`), never free text with data. */
  readonly reason?: string | null;
}

const REASON_PATTERN = /^[a-z0-9_]{1,64}$/;

/**
 * Records `event` as the next audit log entry. Pass the transaction of the change it records:
 * both commit or neither does. Called with the database itself, it opens a transaction of its
 * own. The log is locked from the append until that transaction ends, so call it last.
 *
 * @example
 * await withTransaction(db, async (tx) => {
 *   await revokeSession(tx, id);
 *   await writeAuditEvent(tx, clock, { action: 'session.revoked', outcome: 'success', actorId, sessionId: id });
 * });
 */
export async function writeAuditEvent(db: Kysely<Database>, clock: Clock, event: AuditEvent): Promise<void> {
  // The type already says so; this keeps a cast or a JavaScript caller out of the log too.
  if (!isAuditAction(event.action))
    throw new TypeError(`unknown audit action ${String(event.action)}; add it to platform/audit/catalogue.ts`);
  if (event.reason != null && !REASON_PATTERN.test(event.reason)) {
    throw new TypeError('audit reason must be a short snake_case code');
  }
  const row: AuditEventRow = {
    occurred_at: clock.now(),
    action: event.action,
    outcome: event.outcome,
    actor_id: event.actorId ?? null,
    subject_id: event.subjectId ?? null,
    session_id: event.sessionId ?? null,
    request_id: event.requestId ?? null,
    ip_prefix: event.ipPrefix ?? null,
    reason: event.reason ?? null,
  };
  if (db.isTransaction) await appendEntry(db, row);
  else await db.transaction().execute((tx) => appendEntry(tx, row));
}
