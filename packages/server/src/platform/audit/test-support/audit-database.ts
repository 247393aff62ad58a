/**
 * @module platform/audit/test-support/audit-database
 *
 * A fresh, migrated database of the requested dialect with what the audit log needs around it
 * (configuration, a development key ring in a temporary data directory, a manual clock), and the
 * environment under which the real `portcullis` CLI opens the very same database and ring.
 */
import { rmSync } from 'node:fs';
import { testConfig } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import type { Config, ConfigOverrides } from '../../../config/schema.ts';
import { manualClock } from '../../clock/clock.ts';
import { loadKeyRing, type KeyRing } from '../../crypto/index.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../db/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { writeAuditEvent, type AuditEvent } from '../audit.ts';
import type { CheckpointDeps } from '../checkpoint/checkpointer.ts';

export interface AuditTestDatabase {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock: ReturnType<typeof manualClock>;
  readonly keyRing: KeyRing;
  readonly deps: CheckpointDeps;
  /** PORTCULLIS_* variables that point the CLI at this database, data directory and key ring. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function openAuditTestDatabase(dialect: TestDialect, config: ConfigOverrides = {}): Promise<AuditTestDatabase> {
  const resolved = testConfig({ dialect, config });
  const database = openDatabase(resolved, createLogger(resolved));
  await migrateToLatest(database);
  const clock = manualClock(Date.UTC(2026, 10, 24, 5, 0, 0));
  const keyRing = loadKeyRing(resolved);
  const env: Record<string, string> = {
    PORTCULLIS_DATA_DIR: resolved.dataDir,
    PORTCULLIS_PUBLIC_URL: resolved.publicUrl,
    PORTCULLIS_DATABASE_URL: resolved.database.url,
    PORTCULLIS_LOG_LEVEL: 'silent',
    ...(dialect === 'postgres' ? { PORTCULLIS_DATABASE_SCHEMA: resolved.database.schema } : {}),
  };
  return {
    config: resolved,
    database,
    clock,
    keyRing,
    deps: { db: database.db, clock, keyRing, config: resolved },
    env,
    close: async () => {
      await database.close();
      rmSync(resolved.dataDir, { recursive: true, force: true });
    },
  };
}

/** A typical event, varied by `n` so every entry (and its leaf hash) differs. */
export function sampleEvent(n: number): AuditEvent {
  return {
    action: n % 3 === 0 ? 'session.created' : n % 3 === 1 ? 'session.refreshed' : 'session.revoked',
    outcome: n % 5 === 0 ? 'failure' : 'success',
    actorId: `acct_${n % 7}`,
    subjectId: `acct_${n % 7}`,
    sessionId: `sess_${n}`,
    requestId: `req_${n}`,
    ipPrefix: '203.0.113.0/24',
    reason: n % 5 === 0 ? 'bad_password' : null,
  };
}

/** Writes `count` sample events, one transaction each, one millisecond apart. */
export async function writeSampleEvents(db: AuditTestDatabase, count: number, first = 0): Promise<void> {
  for (let n = first; n < first + count; n += 1) {
    db.clock.advance(1);
    await writeAuditEvent(db.database.db, db.clock, sampleEvent(n));
  }
}
