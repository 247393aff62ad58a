/**
 * @module platform/data-protection/data-keys
 *
 * The `data_keys` table: one wrapped 256-bit key per subject and version, and `erased_subjects`.
 * The wrap context names the subject and the version, so a wrapped key copied onto another
 * subject's row does not unwrap. A key is created on first use with an insert that loses
 * gracefully to a concurrent one (both callers then use the row that won).
 */
import type { DataKeysTable } from '../db/schema.ts';
import type { DataDb } from './types.ts';

/** Subject id of the key the blind indexes are derived from (a service key, not a person's). */
export const BLIND_INDEX_SUBJECT = '~blind-index';

/** Additional authenticated data of a data key's wrap: subject and version, never changed. */
export function dataKeyContext(subjectId: string, version: number): string {
  return `portcullis data-key v1\u0000${subjectId}\u0000${version}`;
}

export type DataKeyRow = Pick<DataKeysTable, 'subject_id' | 'version' | 'kek_version' | 'wrapped'>;

const COLUMNS = ['subject_id', 'version', 'kek_version', 'wrapped'] as const;

/** The newest key of `subjectId`, if any. */
export function currentDataKey(db: DataDb, subjectId: string): Promise<DataKeyRow | undefined> {
  return db
    .selectFrom('data_keys')
    .select(COLUMNS)
    .where('subject_id', '=', subjectId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function dataKeyVersion(db: DataDb, subjectId: string, version: number): Promise<DataKeyRow | undefined> {
  return db.selectFrom('data_keys').select(COLUMNS).where('subject_id', '=', subjectId).where('version', '=', version).executeTakeFirst();
}

/** Inserts `row` unless a key of that subject and version exists; the caller re-reads the winner. */
export async function insertDataKeyIfAbsent(db: DataDb, row: DataKeyRow & { created_at: number }): Promise<void> {
  await db
    .insertInto('data_keys')
    .values(row)
    .onConflict((conflict) => conflict.columns(['subject_id', 'version']).doNothing())
    .execute();
}

export async function isErased(db: DataDb, subjectId: string): Promise<boolean> {
  const row = await db.selectFrom('erased_subjects').select('subject_id').where('subject_id', '=', subjectId).executeTakeFirst();
  return row !== undefined;
}

/** Deletes every key of `subjectId` and records the erasure; returns how many keys were deleted. */
export async function destroyDataKeys(db: DataDb, subjectId: string, now: number): Promise<number> {
  const result = await db.deleteFrom('data_keys').where('subject_id', '=', subjectId).executeTakeFirst();
  await db
    .insertInto('erased_subjects')
    .values({ subject_id: subjectId, erased_at: now })
    .onConflict((conflict) => conflict.column('subject_id').doNothing())
    .execute();
  return Number(result.numDeletedRows);
}
