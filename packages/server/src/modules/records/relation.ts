/**
 * @module modules/records/relation
 *
 * The viewer's relation to the person a record is about (visibility.ts), from the principal:
 * the person themself; their care team — a clinician (`records:read_granted`) holding a grant
 * in force from them, found by the scoped grant query (scope.ts); support staff
 * (`profiles:read_private`); an auditor (`audit:read`) or administrator (`roles:manage`); or
 * anyone else. The first that applies wins, so staff who are also clinicians are the care
 * team only of the people who granted them access.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import { scopeRecordsTo } from './scope.ts';
import type { Relation } from './visibility.ts';

export const PROFILE_PERMISSIONS = {
  /** Look up anyone's profile (what the relation allows). */
  read: 'profiles:read',
  /** Support: also `private` fields, to help a person with their account — never `care_team` or `phi`. */
  readPrivate: 'profiles:read_private',
} as const;

/** Permissions that only name which of the public-only relations a viewer is, for the audit log. */
const AUDITOR_PERMISSION = 'audit:read';
const ADMIN_PERMISSION = 'roles:manage';

export async function relationOf(db: Kysely<Database>, principal: Principal, subjectId: string): Promise<Relation> {
  if (principal.accountId === subjectId) return 'self';
  const grant = await scopeRecordsTo(principal)
    .grantsReceived(db)
    .where('record_grants.patient_account_id', '=', subjectId)
    .select('record_grants.id')
    .executeTakeFirst();
  if (grant) return 'care_team';
  if (principal.permissions.has(PROFILE_PERMISSIONS.readPrivate)) return 'support';
  if (principal.permissions.has(AUDITOR_PERMISSION)) return 'auditor';
  if (principal.permissions.has(ADMIN_PERMISSION)) return 'admin';
  return 'other';
}
