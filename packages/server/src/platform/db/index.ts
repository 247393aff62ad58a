/**
 * @module platform/db
 *
 * The database door: open, migrate, transact, and classify unavailability.
 */
export { openDatabase, resolveSqlitePath } from './connect.ts';
export type { DatabaseHandle, DialectName } from './connect.ts';
export { migrateToLatest, migrationsWith, MigrationError, MIGRATIONS } from './migrations/index.ts';
export type { MigrationModule } from './migrations/index.ts';
export { MigrationDepsMissingError, requireDeps } from './migrations/deps.ts';
export type { MigrationDeps } from './migrations/deps.ts';
export { withTransaction } from './transaction.ts';
export { preparedInsert, preparedQuery } from './prepared.ts';
export type { PreparedQuery } from './prepared.ts';
export type { Tx } from './transaction.ts';
export { DatabaseUnavailableError, isDatabaseUnavailable } from './availability.ts';
export type {
  AccountsTable,
  AuditEventsTable,
  Database,
  OneTimeCodesTable,
  OutboxTable,
  SessionTokensTable,
  MfaChallengesTable,
  KnownDevicesTable,
  DeviceNoticesTable,
  SessionsTable,
} from './schema.ts';
