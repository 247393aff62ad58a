/**
 * @module modules/records/profile-store
 *
 * The `profiles` table: one row per person who saved a profile. Values arrive here already
 * sealed (profiles.ts); this file only reads, writes and deletes rows.
 */
import type { Kysely } from 'kysely';
import type { Database, ProfilesTable } from '../../platform/db/schema.ts';

type Db = Kysely<Database>;

export function readProfileRow(db: Db, accountId: string): Promise<ProfilesTable | undefined> {
  return db.selectFrom('profiles').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Inserts or replaces the person's profile. */
export async function writeProfileRow(db: Db, row: ProfilesTable): Promise<void> {
  await db
    .insertInto('profiles')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('account_id').doUpdateSet({ fields: row.fields, sharing: row.sharing, updated_at: row.updated_at }),
    )
    .execute();
}

/** Deletes the person's profile; returns whether there was one. */
export async function deleteProfileRow(db: Db, accountId: string): Promise<boolean> {
  const result = await db.deleteFrom('profiles').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
