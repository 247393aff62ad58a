/**
 * @module modules/passkeys/passkey-dto
 *
 * A stored credential as its owner sees it: names, dates and flags, never the public key or the
 * credential id (neither helps the person, and the list is an allow-list).
 */
import type { Passkey } from '@portcullis/protocol';
import type { PasskeyCredentialsTable } from '../../platform/db/schema.ts';

export function toPasskeyDto(row: PasskeyCredentialsTable): Passkey {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
    backupEligible: row.backup_eligible === 1,
    backedUp: row.backed_up === 1,
    transports: JSON.parse(row.transports) as string[],
    aaguid: row.aaguid,
    suspended: row.suspended_at !== null,
  };
}
