/**
 * Migration 0004-audit-log: events written before the log existed become its first entries,
 * oldest first, with their original times, and the log they form verifies.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { migratedTo } from '../db/migrations/test-support/migrated-to.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { loadKeyRing } from '../crypto/index.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../db/index.ts';
import { createLogger } from '../logging/logger.ts';
import { auditLogKey } from './checkpoint/log-key.ts';
import { readHead } from './log/store.ts';
import { verifyAuditLog } from './verify/verify-log.ts';

describe.each(testDatabases())('audit log migration on $dialect', ({ dialect }) => {
  let database: DatabaseHandle | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    database = undefined;
  });

  it('appends the events recorded before it, in the order they happened', async () => {
    const config = testConfig({ dialect });
    dataDir = config.dataDir;
    database = openDatabase(config, createLogger(config));
    const db = await migratedTo(database, '0002-accounts-sessions');

    const legacy = db as Kysely<{
      audit_events: { id: string; occurred_at: number; action: string; outcome: string; actor_id: string | null };
    }>;
    const times = [3_000, 1_000, 2_000, 2_000];
    await legacy
      .insertInto('audit_events')
      .values(
        times.map((t, n) => ({
          id: `00000000-0000-4000-8000-00000000000${n}`,
          occurred_at: t,
          action: 'session.created',
          outcome: 'success',
          actor_id: `acct_${n}`,
        })),
      )
      .execute();

    await migrateToLatest(database);
    const rows = await database.db
      .selectFrom('audit_events')
      .select(['log_index', 'occurred_at', 'actor_id'])
      .orderBy('log_index')
      .execute();
    expect(rows).toEqual([
      { log_index: 0, occurred_at: 1_000, actor_id: 'acct_1' },
      { log_index: 1, occurred_at: 2_000, actor_id: 'acct_2' },
      { log_index: 2, occurred_at: 2_000, actor_id: 'acct_3' },
      { log_index: 3, occurred_at: 3_000, actor_id: 'acct_0' },
    ]);
    expect((await readHead(database.db)).size).toBe(4);
    const report = await verifyAuditLog(database.db, auditLogKey(loadKeyRing(config), config));
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(4);
  });
});
