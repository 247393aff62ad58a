/**
 * @module modules/records/held
 *
 * The records side of a person's rights of access and erasure: everything the module holds
 * about them as plain JSON for their export, and deleting it inside the erasure transaction
 * (before their data key is destroyed). Both serve the person themself, so the export shows
 * every field (relation `self`), decrypted.
 */
import type { Classification, RecordDeclarations, RecordEntry, RecordFields } from '@portcullis/protocol';
import type { RecordGrantsTable } from '../../platform/db/schema.ts';
import type { DataDb, DataProtection } from '../../platform/data-protection/index.ts';
import { createRecordCatalogue } from './catalogue.ts';
import { deleteProfile, ownProfile } from './profiles.ts';
import { deleteRowsAbout, rowsAbout } from './scope.ts';
import { entryAs, toGrant } from './service.ts';

export interface HeldGrant {
  readonly id: string;
  readonly patientAccountId: string;
  readonly granteeAccountId: string;
  readonly scope: 'read' | 'write';
  readonly createdAt: string;
  /** When it was revoked or replaced; `null` while in force. */
  readonly revokedAt: string | null;
}

export interface RecordsHeld {
  /** The person's profile with every field and who may see each; `null` if they never saved one. */
  readonly profile: { readonly fields: RecordFields; readonly sharing: Record<string, Classification>; readonly updatedAt: string } | null;
  /** The entries of their patient file, oldest first, every field decrypted. */
  readonly entries: readonly RecordEntry[];
  /** Grants they gave to their file, and grants others gave them, revoked ones included. */
  readonly grantsGiven: readonly HeldGrant[];
  readonly grantsReceived: readonly HeldGrant[];
}

export interface RecordsHeldDeps {
  readonly dataProtection: DataProtection;
  /** `records.types`. */
  readonly types: RecordDeclarations;
}

function heldGrant(row: RecordGrantsTable): HeldGrant {
  return { ...toGrant(row), revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString() };
}

/**
 * @example
 * const held = await recordsHeldAbout({ dataProtection, types: config.records.types }, db, accountId);
 */
export async function recordsHeldAbout(deps: RecordsHeldDeps, db: DataDb, accountId: string): Promise<RecordsHeld> {
  const service = { dataProtection: deps.dataProtection, catalogue: createRecordCatalogue(deps.types) };
  const own = await ownProfile(service, db, accountId);
  const rows = await rowsAbout(db, accountId);
  const entries = [];
  for (const row of rows.entries) entries.push(await entryAs(service, db, row, 'self'));
  return {
    profile: own.updatedAt === null ? null : { fields: own.fields, sharing: own.sharing, updatedAt: own.updatedAt },
    entries,
    grantsGiven: rows.grantsGiven.map(heldGrant),
    grantsReceived: rows.grantsReceived.map(heldGrant),
  };
}

export interface RecordsForgotten {
  readonly profile: boolean;
  readonly entries: number;
  readonly grants: number;
}

/**
 * Deletes the person's profile, the entries of their file and every grant they gave or
 * received. Call it inside the erasure transaction, before their data key is destroyed.
 */
export async function forgetRecordsOf(tx: DataDb, accountId: string): Promise<RecordsForgotten> {
  const profile = await deleteProfile(tx, accountId);
  const { entries, grants } = await deleteRowsAbout(tx, accountId);
  return { profile, entries, grants };
}
