/**
 * @module platform/audit/auditor
 *
 * The audit door as services see it: an `Auditor` writes one event, already knowing who is
 * asking and from where, so a call names only what the service knows —
 * `audit('passkey.removed', { subject: accountId }, tx)`. Routes hand `request.audit` (see
 * request-audit.ts) to the services they call; services never see the request itself.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/clock.ts';
import type { Database } from '../db/schema.ts';
import { writeAuditEvent } from './audit.ts';
import type { AuditAction } from './catalogue.ts';

/** What one event says beyond its action. What each field means per action: catalogue.ts. */
export interface AuditFields {
  /** Defaults to `success`. */
  readonly outcome?: 'success' | 'failure';
  /** The account acted upon. */
  readonly subject?: string | null;
  /** Short snake_case machine code, stored as the entry's `reason` (never personal data). */
  readonly detail?: string | null;
  /**
   * Who acted, when it is not the caller: on a public route the account signing in, for
   * instance. By default the signed-in account (or the calling service).
   */
  readonly actor?: string | null;
  /** The session the event is about, when it is not the caller's own (a new or revoked session). */
  readonly session?: string | null;
}

/**
 * Records one audit event. Pass the transaction of the change it records (both commit or
 * neither does), and write the event last in it: the log stays locked until that transaction
 * ends. Without one the event gets a transaction of its own.
 */
export type Auditor = (action: AuditAction, fields?: AuditFields, db?: Kysely<Database>) => Promise<void>;

/** What the auditor fills in by itself; read at each write, so authentication may happen later. */
export interface AuditOrigin {
  readonly actor: string | null;
  readonly session: string | null;
  readonly requestId: string | null;
  readonly ipPrefix: string | null;
}

export interface AuditorDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
}

export function createAuditor(deps: AuditorDeps, origin: () => AuditOrigin): Auditor {
  return async (action, fields = {}, db = deps.db) => {
    const from = origin();
    await writeAuditEvent(db, deps.clock, {
      action,
      outcome: fields.outcome ?? 'success',
      actorId: fields.actor !== undefined ? fields.actor : from.actor,
      subjectId: fields.subject ?? null,
      sessionId: fields.session !== undefined ? fields.session : from.session,
      requestId: from.requestId,
      ipPrefix: from.ipPrefix,
      reason: fields.detail ?? null,
    });
  };
}
