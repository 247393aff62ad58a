/**
 * Takeover defences at sign-in (docs/security/defense.md). `known_devices` lists, per account,
 * the DPoP keys (RFC 7638 thumbprints) that have held one of its sessions: a password sign-in
 * from any other key must first answer a code sent to the person. `mfa_challenges` learns why it
 * was issued (`reason`: a second factor, a new device, attack mode) and what the session it ends
 * in may do (`restricted_to`, as `sessions.restricted_to`: a breached password gives a session
 * that can only change the password). Timestamps are epoch milliseconds.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('known_devices')
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('jkt', 'varchar(128)', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_devices_pk', ['account_id', 'jkt'])
    .execute();
  await db.schema
    .alterTable('mfa_challenges')
    .addColumn('reason', 'varchar(16)', (c) => c.notNull().defaultTo('second_factor'))
    .execute();
  await db.schema.alterTable('mfa_challenges').addColumn('restricted_to', 'varchar(64)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('mfa_challenges').dropColumn('restricted_to').execute();
  await db.schema.alterTable('mfa_challenges').dropColumn('reason').execute();
  await db.schema.dropTable('known_devices').execute();
}
