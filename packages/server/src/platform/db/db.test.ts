import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { MIGRATIONS, migrateToLatest, withTransaction } from './index.ts';
import type { App } from '../../app.ts';

describe.each(testDatabases())('database platform on $dialect', ({ dialect }) => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('applies every migration on start, and a second run applies nothing', async () => {
    app = await buildTestApp({ dialect });
    const rows = await app.portcullis.database.db.selectFrom('instance_meta').selectAll().execute();
    expect(rows.map((r) => r.key).sort()).toEqual(['installation_id', 'schema_created_at']);
    expect(await migrateToLatest(app.portcullis.database)).toEqual([]);
    expect(Object.keys(MIGRATIONS).length).toBeGreaterThan(0);
  });

  it('commits a transaction when the work resolves and rolls it back when it throws', async () => {
    app = await buildTestApp({ dialect });
    const { db } = app.portcullis.database;
    await withTransaction(db, (tx) => tx.insertInto('instance_meta').values({ key: 'committed', value: '1' }).execute());
    await expect(
      withTransaction(db, async (tx) => {
        await tx.insertInto('instance_meta').values({ key: 'rolled_back', value: '1' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const keys = (await db.selectFrom('instance_meta').select('key').execute()).map((r) => r.key);
    expect(keys).toContain('committed');
    expect(keys).not.toContain('rolled_back');
  });
});

describe('embedded SQLite durability', () => {
  it('opens SQLite in WAL mode with synchronous=FULL so acknowledged writes survive a crash', async () => {
    const app = await buildTestApp({ dialect: 'sqlite' });
    onTestFinished(() => app.close());
    const { db } = app.portcullis.database;
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    expect(journal.rows[0]?.journal_mode).toBe('wal');
    expect(synchronous.rows[0]?.synchronous).toBe(2); // 2 = FULL
  });
});
