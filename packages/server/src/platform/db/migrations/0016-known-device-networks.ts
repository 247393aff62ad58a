/**
 * The networks each known device has signed in from (`known_devices.networks`, a JSON array of
 * coarse prefixes — IPv4 /24, IPv6 /48 — newest first, a few at most). Attack mode lets a known
 * device through without the emailed code only from a network it has used before. Devices known
 * before this migration have no network yet: their next sign-in in attack mode confirms by email.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('known_devices')
    .addColumn('networks', 'varchar(512)', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('known_devices').dropColumn('networks').execute();
}
