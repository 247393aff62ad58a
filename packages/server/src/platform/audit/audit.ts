/**
 * @module platform/audit
 *
 * The audit door: every security event is written through `writeAuditEvent`, inside the same
 * transaction as the change it records when there is one. Events carry identifiers, an action
 * named `domain.verb_past`, an outcome and a short machine reason — never secrets, codes,
 * passwords, email addresses or names. (The tamper-evident Merkle log builds on this table.)
 */
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../clock/clock.ts';

/** Audit action names in use; adding one here is how a module declares a new event. */
export const AUDIT_ACTIONS = [
  'account.created',
  'account.email_verified',
  'account.sign_up_existing',
  'session.created',
  'session.sign_in_failed',
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

export async function writeAuditEvent(db: Kysely<Database>, clock: Clock, event: AuditEvent): Promise<void> {
  if (event.reason != null && !REASON_PATTERN.test(event.reason)) {
    throw new TypeError('audit reason must be a short snake_case code');
  }
  await db
    .insertInto('audit_events')
    .values({
      id: randomUUID(),
      occurred_at: clock.now(),
      action: event.action,
      outcome: event.outcome,
      actor_id: event.actorId ?? null,
      subject_id: event.subjectId ?? null,
      session_id: event.sessionId ?? null,
      request_id: event.requestId ?? null,
      ip_prefix: event.ipPrefix ?? null,
      reason: event.reason ?? null,
    })
    .execute();
}
