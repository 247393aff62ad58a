/**
 * KEK rotation re-wraps every data key online, on every adapter and both databases.
 *
 * Invariants:
 * - a rotation stopped after any batch is resumed by running it again, without a new version
 *   and without losing or double-wrapping a key (ASVS V11.1.1 key lifecycle);
 * - reads, writes and erasures keep working while it runs, and an erased person's key is never
 *   brought back by a batch that read it before the erasure (optimistic check);
 * - an old KEK version is destroyed only when no data key uses it, and never the current one
 *   (V11.1.2, V14.2.7).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { SealedDataUnreadableError } from '../crypto/index.ts';
import { withTransaction } from '../db/index.ts';
import { testKeyServices } from '../kms/test-support/test-key-services.ts';
import { KekInUseError, keyStatus, retireKekVersion, rotateDataKeys, type RewrapProgress } from './rewrap.ts';
import { openDataProtectionTestDatabase, type DataProtectionTestDatabase } from './test-support/data-protection-database.ts';

const VARIANTS = testDatabases().flatMap(({ dialect }) =>
  testKeyServices().map(({ adapter, freshKeyService }) => ({ dialect, adapter, freshKeyService })),
);

const subject = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const at = (i: number) => ({ table: 'profiles', column: 'fields/dateOfBirth', rowId: `row-${i}` });

class StopAfter extends Error {}

describe.each(VARIANTS)('KEK rotation on $dialect with the $adapter key service', ({ dialect, freshKeyService }) => {
  let t: DataProtectionTestDatabase;
  beforeEach(async () => {
    t = await openDataProtectionTestDatabase(dialect, freshKeyService());
  });
  afterEach(async () => {
    await t.close();
  });

  async function seed(count: number): Promise<string[]> {
    const dp = t.newDataProtection();
    const sealed: string[] = [];
    for (let i = 0; i < count; i += 1) sealed.push(await dp.seal(t.database.db, subject(i), `value ${i}`, at(i)));
    return sealed;
  }

  async function expectAllOpen(sealed: readonly string[], skip: ReadonlySet<number> = new Set()): Promise<void> {
    const reader = t.newDataProtection({ maxKeys: 0, ttlMs: 1 });
    for (const [i, value] of sealed.entries()) {
      if (!skip.has(i)) expect(await reader.open(t.database.db, subject(i), value, at(i))).toBe(`value ${i}`);
    }
  }

  const kekVersions = async (): Promise<Record<string, number>> => {
    const rows = await t.database.db.selectFrom('data_keys').select('kek_version').execute();
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.kek_version] = (counts[row.kek_version] ?? 0) + 1;
    return counts;
  };

  it('V11.1.1: resumes a rotation stopped after two batches, and retires the old version only at the end', async () => {
    const sealed = await seed(23);
    const stopAfterTwo = (progress: RewrapProgress): void => {
      if (progress.batches === 2) throw new StopAfter('stopped');
    };
    await expect(
      rotateDataKeys({ db: t.database.db, keyService: t.keyService, retireGraceMs: 0, batchSize: 5, onBatch: stopAfterTwo }),
    ).rejects.toThrow(StopAfter);
    expect(await kekVersions()).toEqual({ v1: 13, v2: 10 });
    expect(await t.keyService.versions()).toEqual({ current: 'v2', all: ['v1', 'v2'] });
    await expectAllOpen(sealed);

    const batches: RewrapProgress[] = [];
    const report = await rotateDataKeys({
      db: t.database.db,
      keyService: t.keyService,
      retireGraceMs: 0,
      batchSize: 5,
      onBatch: (p) => batches.push(p),
    });
    expect(report).toMatchObject({ target: 'v2', created: false, rewrapped: 13, skipped: 0, unreadable: 0, retired: ['v1'], kept: {} });
    expect(batches.map((b) => b.done)).toEqual([5, 10, 13]);
    expect(batches.every((b) => b.total === 13 && b.target === 'v2')).toBe(true);
    expect(await kekVersions()).toEqual({ v2: 23 });
    expect(await t.keyService.versions()).toEqual({ current: 'v2', all: ['v2'] });
    await expectAllOpen(sealed);

    // Nothing left to resume: the next run starts a new rotation; asked to, it keeps the old version.
    expect(await rotateDataKeys({ db: t.database.db, keyService: t.keyService, retireGraceMs: 0, retire: 'none' })).toMatchObject({
      target: 'v3',
      created: true,
      rewrapped: 23,
      retired: [],
      kept: { v2: 0 },
    });
    expect((await t.keyService.versions()).all).toEqual(['v2', 'v3']);
    await expectAllOpen(sealed);
    await retireKekVersion({ db: t.database.db, keyService: t.keyService }, 'v2');
    expect((await t.keyService.versions()).all).toEqual(['v3']);
  });

  it('V11.1.2: refuses to retire a version that still wraps a data key, or the current one', async () => {
    await seed(4);
    await expect(
      rotateDataKeys({
        db: t.database.db,
        keyService: t.keyService,
        retireGraceMs: 0,
        batchSize: 1,
        onBatch: () => {
          throw new StopAfter('stopped');
        },
      }),
    ).rejects.toThrow(StopAfter);
    const deps = { db: t.database.db, keyService: t.keyService };
    await expect(retireKekVersion(deps, 'v1')).rejects.toThrow(KekInUseError);
    await expect(retireKekVersion(deps, 'v1')).rejects.toThrow(/still wraps 3 data key/);
    await expect(retireKekVersion(deps, 'v2')).rejects.toThrow(/current/);
    expect(await keyStatus(t.database.db, t.keyService)).toEqual({
      current: 'v2',
      versions: [
        { version: 'v1', dataKeys: 3 },
        { version: 'v2', dataKeys: 1 },
      ],
      orphaned: {},
    });
    expect((await t.keyService.versions()).all).toEqual(['v1', 'v2']);
  });

  it('V14.2.7: keeps reads, writes and erasures working during a rotation, and never revives an erased key', async () => {
    const sealed = await seed(30);
    const erased = new Set([7, 21]);
    const writer = t.newDataProtection();
    const reader = t.newDataProtection({ maxKeys: 0, ttlMs: 1 });
    const traffic: Promise<unknown>[] = [];
    const written: { i: number; value: string }[] = [];
    const report = await rotateDataKeys({
      db: t.database.db,
      keyService: t.keyService,
      retireGraceMs: 0,
      batchSize: 4,
      onBatch: ({ batches }) => {
        // Traffic between batches, started while the rotation is in flight.
        for (let k = 0; k < 3; k += 1) {
          const i = (batches * 3 + k) % 30;
          if (!erased.has(i))
            traffic.push(reader.open(t.database.db, subject(i), sealed[i]!, at(i)).then((v) => expect(v).toBe(`value ${i}`)));
        }
        const fresh = 100 + batches;
        traffic.push(
          writer.seal(t.database.db, subject(fresh), `value ${fresh}`, at(fresh)).then((value) => written.push({ i: fresh, value })),
        );
        if (batches === 1) for (const i of erased) traffic.push(withTransaction(t.database.db, (tx) => writer.erase(tx, subject(i))));
      },
    });
    await Promise.all(traffic);
    expect(report.created).toBe(true);
    expect(report.unreadable).toBe(0);
    // A second run moves what was written under the old version meanwhile, then retires it.
    const after = await rotateDataKeys({ db: t.database.db, keyService: t.keyService, retireGraceMs: 0 });
    expect(Object.keys(await kekVersions())).toEqual([after.target]);
    await expectAllOpen(sealed, erased);
    for (const { i, value } of written)
      expect(await t.newDataProtection().open(t.database.db, subject(i), value, at(i))).toBe(`value ${i}`);
    for (const i of erased) {
      expect(await t.database.db.selectFrom('data_keys').select('version').where('subject_id', '=', subject(i)).execute()).toEqual([]);
      await expect(t.newDataProtection().open(t.database.db, subject(i), sealed[i]!, at(i))).rejects.toBeInstanceOf(
        SealedDataUnreadableError,
      );
    }
  });

  it('V11.1.2: sweeps again before retiring, so a key wrapped under the old version by a transaction still open is not lost', async () => {
    await seed(3);
    const dp = t.newDataProtection();
    let commit = (): void => undefined;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let late = '';
    const writer = withTransaction(t.database.db, async (tx) => {
      late = await dp.seal(tx, subject(50), 'value 50', at(50)); // wraps under v1, not committed yet
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    setTimeout(commit, 150);
    const report = await rotateDataKeys({ db: t.database.db, keyService: t.keyService, retireGraceMs: 400 });
    await writer;
    expect(report).toMatchObject({ target: 'v2', rewrapped: 4, retired: ['v1'], unreadable: 0 });
    expect(await kekVersions()).toEqual({ v2: 4 });
    expect(await t.newDataProtection({ maxKeys: 0, ttlMs: 1 }).open(t.database.db, subject(50), late, at(50))).toBe('value 50');
  });
});
