/**
 * @module modules/sessions/restriction
 *
 * How a restricted session records what it may enrol (`sessions.restricted_to`): a JSON array of
 * enrolment factors, or null for a full session. Reading fails closed: a value that is not such
 * an array (a bad write, a hand edit) still restricts the session, to the routes every
 * restricted session reaches (`enrolment: 'any'`) and no enrolment at all.
 */
import { ENROLMENT_FACTORS, type EnrolmentFactor } from '../../platform/routes/contract.ts';

export function storedRestriction(restrictedTo: readonly EnrolmentFactor[] | undefined): string | null {
  return restrictedTo === undefined ? null : JSON.stringify(restrictedTo);
}

function isEnrolmentFactor(value: unknown): value is EnrolmentFactor {
  return (ENROLMENT_FACTORS as readonly unknown[]).includes(value);
}

export function restrictionOf(stored: string | null): readonly EnrolmentFactor[] | undefined {
  if (stored === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) && parsed.every(isEnrolmentFactor) ? parsed : [];
  } catch {
    return [];
  }
}
