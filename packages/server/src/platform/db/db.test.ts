import { open, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
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
  /** Holds every WAL flush (FileHandle#datasync) until `release`, or fails it with `fail`. */
  async function holdWalFlushes(): Promise<{ started: () => number; release: () => void; fail: (error: Error) => void }> {
    const probe = await open(fileURLToPath(import.meta.url), 'r');
    const prototype = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the handle as `this`
    const original = prototype.datasync;
    let outcome: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const gate = new Promise<void>((resolve, reject) => (outcome = { resolve, reject }));
    gate.catch(() => undefined);
    const spy = vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: FileHandle) {
      await gate;
      return original.call(this);
    });
    onTestFinished(() => spy.mockRestore());
    return { started: () => spy.mock.calls.length, release: () => outcome?.resolve(), fail: (error) => outcome?.reject(error) };
  }

  async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
    return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  }

  async function signUp(app: App, email: string) {
    return app.inject({ method: 'POST', url: '/v1/accounts', payload: { email, password: 'correct horse battery staple 1' } });
  }

  it('opens SQLite in WAL mode with synchronous=NORMAL; durability comes from the commit barrier', async () => {
    const app = await buildTestApp({ dialect: 'sqlite' });
    onTestFinished(() => app.close());
    const { db } = app.portcullis.database;
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    expect(journal.rows[0]?.journal_mode).toBe('wal');
    expect(synchronous.rows[0]?.synchronous).toBe(1); // 1 = NORMAL
  });

  it('does not answer a write before the WAL flush that covers it has completed', async () => {
    const app = await buildTestApp({ dialect: 'sqlite' });
    onTestFinished(() => app.close());
    const flushes = await holdWalFlushes();
    const response = signUp(app, 'durable@example.com');
    // The sign-up hashes its password before it commits: allow for a busy machine.
    await vi.waitFor(() => expect(flushes.started()).toBeGreaterThan(0), { timeout: 15_000 });
    expect(await settledWithin(response, 300)).toBe(false);
    flushes.release();
    expect((await response).statusCode).toBe(202);
  });

  it('answers 503 once a WAL flush has failed, and acknowledges no later write', async () => {
    const app = await buildTestApp({ dialect: 'sqlite' });
    onTestFinished(() => app.close().catch(() => undefined));
    const flushes = await holdWalFlushes();
    const response = signUp(app, 'lost@example.com');
    // The sign-up hashes its password before it commits: allow for a busy machine.
    await vi.waitFor(() => expect(flushes.started()).toBeGreaterThan(0), { timeout: 15_000 });
    flushes.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const first = await response;
    expect(first.statusCode).toBe(503);
    expect(first.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(first.body).not.toMatch(/EIO|fdatasync/);
    expect((await signUp(app, 'later@example.com')).statusCode).toBe(503);
  });
});
