/**
 * @module platform/audit/log/entry
 *
 * The bytes of one audit log entry (format version 1), which are what the Merkle leaf hashes.
 * An entry is the canonical JSON of the stored event's fields: `action` (`domain.verb_past`),
 * `actor`, `ipPrefix`, `outcome`, `reason`, `requestId`, `session`, `subject` and `time`
 * (ISO 8601 UTC with milliseconds), every one present, absent values as `null`. The fields are
 * identifiers and short codes only, never secrets or personal data, so the entries can be
 * handed to an outside auditor as they are.
 *
 * Changing this encoding changes every leaf hash: old entries would no longer verify. A new
 * format needs a new version and a migration plan, never an edit here.
 */
import type { AuditEventsTable } from '../../db/schema.ts';
import { hashLeafText } from '../../merkle/hash.ts';

/** The stored columns an entry is made of (everything but its position). */
export type AuditEventRow = Omit<AuditEventsTable, 'log_index'>;

/** One entry as published (and as listed to auditors). */
export interface AuditEntry {
  readonly action: string;
  readonly actor: string | null;
  readonly ipPrefix: string | null;
  readonly outcome: 'success' | 'failure';
  readonly reason: string | null;
  readonly requestId: string | null;
  readonly session: string | null;
  readonly subject: string | null;
  /** ISO 8601 in UTC, millisecond precision (ASVS V16.2.2). */
  readonly time: string;
}

export function entryFromRow(row: AuditEventRow): AuditEntry {
  return {
    action: row.action,
    actor: row.actor_id,
    ipPrefix: row.ip_prefix,
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.request_id,
    session: row.session_id,
    subject: row.subject_id,
    time: new Date(row.occurred_at).toISOString(),
  };
}

/** The canonical JSON text of an entry: sorted keys, no whitespace (exactly what `canonicalJSON` in `canonical-json.ts` gives). */
export function encodeEntry(entry: AuditEntry): string {
  // The keys are fixed, so they are written in sorted order directly: verification encodes every
  // entry of the log, and this is several times faster than sorting keys each time. A test holds
  // it equal to the general `canonicalJSON`.
  const s = JSON.stringify;
  return (
    `{"action":${s(entry.action)},"actor":${s(entry.actor)},"ipPrefix":${s(entry.ipPrefix)},"outcome":${s(entry.outcome)},` +
    `"reason":${s(entry.reason)},"requestId":${s(entry.requestId)},"session":${s(entry.session)},"subject":${s(entry.subject)},` +
    `"time":${s(entry.time)}}`
  );
}

/** The last whole second formatted by `isoTime`, and its `YYYY-MM-DDTHH:MM:SS.` text. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, formatting the date part once per second: entries close in time
 * share it, and verification formats every entry's time.
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** `encodeEntry(entryFromRow(row))` without the intermediate object: verification runs it once per entry. */
export function encodeRow(row: AuditEventRow): string {
  const s = JSON.stringify;
  return (
    `{"action":${s(row.action)},"actor":${s(row.actor_id)},"ipPrefix":${s(row.ip_prefix)},"outcome":${s(row.outcome)},` +
    `"reason":${s(row.reason)},"requestId":${s(row.request_id)},"session":${s(row.session_id)},"subject":${s(row.subject_id)},` +
    `"time":"${isoTime(row.occurred_at)}"}`
  );
}

/** Leaf hash of a stored event: SHA-256(0x00 ‖ canonical JSON). */
export function leafHashOfRow(row: AuditEventRow): Buffer {
  return hashLeafText(encodeRow(row));
}
