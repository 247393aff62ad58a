/**
 * @module platform/audit
 *
 * The audit door: every security event is written through `writeAuditEvent`, inside the same
 * transaction as the change it records when there is one. Events carry identifiers, an action
 * named `domain.verb_past`, an outcome and a short machine reason — never secrets, codes,
 * passwords, email addresses or names. Each event becomes the next entry of the tamper-evident
 * log (`log/append.ts`): an RFC 9162 Merkle tree whose signed checkpoints let anyone detect a
 * changed, removed, inserted or reordered entry.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../clock/clock.ts';
import { appendEntry } from './log/append.ts';
import type { AuditEventRow } from './log/entry.ts';

/** Audit action names in use; adding one here is how a module declares a new event. */
export const AUDIT_ACTIONS = [
  'account.created',
  'account.admin_created',
  'account.email_verified',
  'account.sign_up_existing',
  'session.created',
  'session.sign_in_failed',
  'session.password_throttled',
  'session.refreshed',
  'session.refresh_refused',
  'session.refresh_reuse_detected',
  'session.revoked',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'introspection.performed',
  'mfa.totp_enrolment_started',
  'mfa.totp_enrolment_confirmed',
  'mfa.totp_removed',
  'mfa.totp_verified',
  'mfa.recovery_codes_generated',
  'mfa.recovery_code_used',
  'mfa.challenge_issued',
  'mfa.challenge_failed',
  'mfa.factor_locked',
  'mfa.phone_added',
  'mfa.phone_verified',
  'mfa.phone_removed',
  'mfa.email_code_sent',
  'mfa.sms_code_sent',
  'mfa.email_code_verified',
  'mfa.sms_code_verified',
  'step_up.challenge_issued',
  'step_up.verified',
  'step_up.failed',
  'step_up.used',
  'passkey.registered',
  'passkey.registration_failed',
  'passkey.authenticated',
  'passkey.sign_in_failed',
  'passkey.clone_detected',
  'passkey.renamed',
  'passkey.removed',
  'passkey.removal_refused',
  'federation.signed_in',
  'federation.sign_in_failed',
  'federation.account_created',
  'federation.identity_linked',
  'federation.link_refused',
  'federation.identity_unlinked',
  'federation.provider_token_revoked',
  'federation.notification_received',
  'record.read',
  'record.written',
  'record.grant_created',
  'record.grant_revoked',
  'audit.queried',
  'admin.accounts_listed',
  'admin.account_viewed',
  'account.locked',
  'account.unlocked',
  'account.signed_out',
  'mfa.reset',
  'role.granted',
  'role.removed',
  'role.grant_requested',
  'elevation.requested',
  'elevation.approved',
  'elevation.denied',
  'elevation.ended',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

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
