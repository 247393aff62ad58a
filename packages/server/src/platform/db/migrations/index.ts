/**
 * @module platform/db/migrations
 *
 * The one ordered list of migrations, shared by SQLite and PostgreSQL. Each migration uses only
 * what Kysely's schema builder expresses portably; add new files here, never edit a released one.
 */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { MigrationDeps } from './deps.ts';
import type { DatabaseHandle } from '../connect.ts';
import * as instanceMeta from './0001-instance-meta.ts';
import * as accountsSessions from './0002-accounts-sessions.ts';
import * as auditLog from './0004-audit-log.ts';
import * as passkeys from './0005-passkeys.ts';
import * as mfaFactors from './0006-mfa-factors.ts';
import * as externalIdentities from './0007-external-identities.ts';
import * as assurance from './0008-assurance.ts';
import * as stepUp from './0009-step-up.ts';
import * as phoneFactors from './0010-phone-factors.ts';
import * as records from './0011-records.ts';
import * as elevation from './0012-elevation.ts';
import * as sessionEnrolment from './0013-session-enrolment.ts';
import * as knownDevices from './0014-known-devices.ts';
import * as deviceNotices from './0015-device-notices.ts';
import * as knownDeviceNetworks from './0016-known-device-networks.ts';
import * as dataKeys from './0017-data-keys.ts';
import * as declaredRecords from './0019-declared-records.ts';
import * as contactData from './0020-contact-data.ts';
import * as erasure from './0021-erasure.ts';
import * as messaging from './0022-messaging.ts';
import * as keyLog from './0023-key-log.ts';
import * as messagingAttachments from './0024-messaging-attachments.ts';

/** A migration module: `up(db)` for schema changes, `up(db, deps)` when existing rows are re-sealed. */
export interface MigrationModule {
  readonly up: (db: Kysely<unknown>, deps?: MigrationDeps) => Promise<void>;
  readonly down?: (db: Kysely<unknown>) => Promise<void>;
}

export const MIGRATIONS: Readonly<Record<string, MigrationModule>> = {
  '0001-instance-meta': instanceMeta,
  '0002-accounts-sessions': accountsSessions,
  '0004-audit-log': auditLog,
  '0005-passkeys': passkeys,
  '0006-mfa-factors': mfaFactors,
  '0007-external-identities': externalIdentities,
  '0008-assurance': assurance,
  '0009-step-up': stepUp,
  '0010-phone-factors': phoneFactors,
  '0011-records': records,
  '0012-elevation': elevation,
  '0013-session-enrolment': sessionEnrolment,
  '0014-known-devices': knownDevices,
  '0015-device-notices': deviceNotices,
  '0016-known-device-networks': knownDeviceNetworks,
  '0017-data-keys': dataKeys,
  '0019-declared-records': declaredRecords,
  '0020-contact-data': contactData,
  '0021-erasure': erasure,
  '0022-messaging': messaging,
  '0023-key-log': keyLog,
  '0024-messaging-attachments': messagingAttachments,
};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Kysely's migrations, with the data migrations' deps bound in. */
export function migrationsWith(deps: MigrationDeps | undefined): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(MIGRATIONS).map(([name, module]) => [
      name,
      { up: (db: Kysely<unknown>) => module.up(db, deps), ...(module.down ? { down: module.down } : {}) },
    ]),
  );
}

/** Applies every pending migration; returns the names applied in this call. */
export async function migrateToLatest(database: DatabaseHandle, deps?: MigrationDeps): Promise<string[]> {
  // Migrations are written against the schema as it was, not today's table types.
  const db = database.db as unknown as Kysely<unknown>;
  if (database.schema !== undefined) await db.schema.createSchema(database.schema).ifNotExists().execute();
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsWith(deps)) },
    ...(database.schema !== undefined ? { migrationTableSchema: database.schema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
