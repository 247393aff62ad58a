/**
 * A restricted session records what it may enrol (modules/sessions/restriction.ts): the flag
 * `sessions.restricted` becomes `restricted_to`, null for a full session or a JSON array of
 * enrolment factors. Sessions restricted before this migration were those of people whose role
 * needs a second factor they lack; they keep every enrolment they could reach.
 */
import type { Kysely } from 'kysely';

const EVERY_FACTOR = JSON.stringify(['passkey', 'totp', 'phone']);

/** Migrations see the schema as it was at the time, not today's table types. */
interface SessionsAtThisMigration {
  sessions: { restricted: number; restricted_to: string | null };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('restricted_to', 'varchar(64)').execute();
  const typed = db as unknown as Kysely<SessionsAtThisMigration>;
  await typed.updateTable('sessions').set({ restricted_to: EVERY_FACTOR }).where('restricted', '=', 1).execute();
  await db.schema.alterTable('sessions').dropColumn('restricted').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('restricted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  const typed = db as unknown as Kysely<SessionsAtThisMigration>;
  await typed.updateTable('sessions').set({ restricted: 1 }).where('restricted_to', 'is not', null).execute();
  await db.schema.alterTable('sessions').dropColumn('restricted_to').execute();
}
