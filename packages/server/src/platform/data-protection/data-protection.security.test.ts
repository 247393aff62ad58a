/**
 * Personal data sealed per person under key-service-wrapped data keys.
 *
 * Invariants:
 * - a sealed value opens only for the subject, table, column, row and key version it was sealed
 *   for; tampering, moving or relabelling it fails (ASVS V11.3.3, V14.1.2);
 * - data keys are stored only wrapped; the stored row holds no key bytes (V13.3.1, V11.1.1);
 * - after erasure nothing sealed for the subject opens, in this process or a fresh one, and no
 *   new key is ever created for them (V14.2.7);
 * - a key created inside a transaction that rolls back is never used afterwards;
 * - concurrent first seals for one subject agree on one key;
 * - blind indexes are stable, keyed, and differ per kind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test-support/databases.ts';
import { SealedDataUnreadableError } from '../crypto/index.ts';
import { withTransaction } from '../db/index.ts';
import { makeTempDir } from '../../test-support/build-test-app.ts';
import { openTestKeyService, testKeyServices } from '../kms/test-support/test-key-services.ts';
import { SubjectErasedError, createDataProtection } from './data-protection.ts';
import { openDataProtectionTestDatabase, type DataProtectionTestDatabase } from './test-support/data-protection-database.ts';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const PHONE_OF_ALICE = { table: 'mfa_phone_factors', column: 'phone_ciphertext', rowId: 'f-1' };

const VARIANTS = testDatabases().flatMap(({ dialect }) =>
  testKeyServices().map(({ adapter, freshKeyService }) => ({ dialect, adapter, freshKeyService })),
);

describe.each(VARIANTS)('data protection on $dialect with the $adapter key service', ({ dialect, freshKeyService }) => {
  let t: DataProtectionTestDatabase;
  beforeEach(async () => {
    t = await openDataProtectionTestDatabase(dialect, freshKeyService());
  });
  afterEach(async () => {
    await t.close();
  });

  it('opens a value only where and for whom it was sealed', async () => {
    const dp = t.newDataProtection();
    const db = t.database.db;
    const sealed = await dp.seal(db, ALICE, '+447700900123', PHONE_OF_ALICE);
    expect(sealed).toMatch(/^pd1\.1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('447700900123');
    expect(await dp.open(db, ALICE, sealed, PHONE_OF_ALICE)).toBe('+447700900123');

    await dp.seal(db, BOB, 'bob', PHONE_OF_ALICE); // Bob has a key too: moving to him must still fail
    const elsewhere = [
      () => dp.open(db, BOB, sealed, PHONE_OF_ALICE),
      () => dp.open(db, ALICE, sealed, { ...PHONE_OF_ALICE, rowId: 'f-2' }),
      () => dp.open(db, ALICE, sealed, { ...PHONE_OF_ALICE, column: 'other' }),
      () => dp.open(db, ALICE, sealed, { ...PHONE_OF_ALICE, table: 'accounts' }),
      () => dp.open(db, ALICE, sealed.replace(/^pd1\.1\./, 'pd1.2.'), PHONE_OF_ALICE),
      () => dp.open(db, ALICE, `${sealed.slice(0, -4)}${sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, PHONE_OF_ALICE),
      () => dp.open(db, ALICE, 'v1.aaaa.bbbb.cccc', PHONE_OF_ALICE),
    ];
    for (const attempt of elsewhere) await expect(attempt()).rejects.toBeInstanceOf(SealedDataUnreadableError);
  });

  it('stores each data key only wrapped, bound to its subject', async () => {
    const dp = t.newDataProtection();
    const db = t.database.db;
    await dp.seal(db, ALICE, 'x', PHONE_OF_ALICE);
    await dp.seal(db, BOB, 'y', PHONE_OF_ALICE);
    const rows = await db.selectFrom('data_keys').selectAll().orderBy('subject_id').execute();
    expect(rows.map((r) => [r.subject_id, r.version, r.kek_version])).toEqual([
      [ALICE, 1, 'v1'],
      [BOB, 1, 'v1'],
    ]);
    // Alice's wrapped key copied onto Bob's row does not unwrap: Bob's data stays closed to it.
    const sealedForBob = await dp.seal(db, BOB, 'bob secret', PHONE_OF_ALICE);
    await db.updateTable('data_keys').set({ wrapped: rows[0]!.wrapped }).where('subject_id', '=', BOB).execute();
    await expect(t.newDataProtection().open(db, BOB, sealedForBob, PHONE_OF_ALICE)).rejects.toBeInstanceOf(SealedDataUnreadableError);
  });

  it('erases a person for good: no process opens their data, and no new key is made for them', async () => {
    const dp = t.newDataProtection();
    const db = t.database.db;
    const sealed = await dp.seal(db, ALICE, 'alice@example.test', PHONE_OF_ALICE);
    const other = t.newDataProtection();
    expect(await other.open(db, ALICE, sealed, PHONE_OF_ALICE)).toBe('alice@example.test');
    expect(await withTransaction(db, (tx) => dp.erase(tx, ALICE))).toBe(1);
    await expect(dp.open(db, ALICE, sealed, PHONE_OF_ALICE)).rejects.toBeInstanceOf(SealedDataUnreadableError);
    await expect(t.newDataProtection().open(db, ALICE, sealed, PHONE_OF_ALICE)).rejects.toBeInstanceOf(SealedDataUnreadableError);
    await expect(dp.seal(db, ALICE, 'again', PHONE_OF_ALICE)).rejects.toBeInstanceOf(SubjectErasedError);
    // Another process that cached the key before the erasure forgets it within the cache TTL.
    t.clock.advance(60_001);
    await expect(other.open(db, ALICE, sealed, PHONE_OF_ALICE)).rejects.toBeInstanceOf(SealedDataUnreadableError);
  });

  it('never uses a key whose creating transaction rolled back', async () => {
    const dp = t.newDataProtection();
    const db = t.database.db;
    await expect(
      withTransaction(db, async (tx) => {
        await dp.seal(tx, ALICE, 'first', PHONE_OF_ALICE);
        await dp.seal(tx, ALICE, 'second', PHONE_OF_ALICE); // reads the uncommitted row
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const sealed = await dp.seal(db, ALICE, 'kept', PHONE_OF_ALICE);
    expect(await t.newDataProtection().open(db, ALICE, sealed, PHONE_OF_ALICE)).toBe('kept');
    expect(await dp.open(db, ALICE, sealed, PHONE_OF_ALICE)).toBe('kept');
  });

  it('agrees on one key when many first seals for a person race', async () => {
    const instances = [t.newDataProtection(), t.newDataProtection(), t.newDataProtection()];
    const sealed = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        instances[i % 3]!.seal(t.database.db, ALICE, `value ${i}`, { ...PHONE_OF_ALICE, rowId: `r${i}` }),
      ),
    );
    const keys = await t.database.db.selectFrom('data_keys').select('version').where('subject_id', '=', ALICE).execute();
    expect(keys).toHaveLength(1);
    const reader = t.newDataProtection();
    for (const [i, value] of sealed.entries()) {
      expect(await reader.open(t.database.db, ALICE, value, { ...PHONE_OF_ALICE, rowId: `r${i}` })).toBe(`value ${i}`);
    }
  });

  it('keeps at most maxKeys unwrapped keys and reports hits and misses', async () => {
    const dp = t.newDataProtection({ maxKeys: 2, ttlMs: 60_000 });
    const db = t.database.db;
    const subjects = [ALICE, BOB, '33333333-3333-4333-8333-333333333333'];
    const sealed = await Promise.all(subjects.map((s) => dp.seal(db, s, s, PHONE_OF_ALICE)));
    const reader = t.newDataProtection({ maxKeys: 2, ttlMs: 60_000 });
    for (const [i, s] of subjects.entries()) expect(await reader.open(db, s, sealed[i]!, PHONE_OF_ALICE)).toBe(s);
    expect(reader.cacheStats()).toMatchObject({ misses: 3, hits: 0, size: 2 });
    expect(await reader.open(db, subjects[2]!, sealed[2]!, PHONE_OF_ALICE)).toBe(subjects[2]);
    expect(reader.cacheStats()).toMatchObject({ hits: 1 });
  });

  it('derives blind indexes under a key-service-held key: stable, per kind, unlike a plain hash', async () => {
    const dp = t.newDataProtection();
    const db = t.database.db;
    const email = await dp.blindIndex(db, 'email', 'alice@example.test');
    expect(await t.newDataProtection().blindIndex(db, 'email', 'alice@example.test')).toBe(email);
    expect(await dp.blindIndex(db, 'phone', 'alice@example.test')).not.toBe(email);
    expect(await dp.blindIndex(db, 'email', 'bob@example.test')).not.toBe(email);
    // Another deployment (another key service) indexes the same address differently.
    const otherService = await openTestKeyService(freshKeyService(), makeTempDir());
    const other = await t.database.db
      .transaction()
      .execute(async (tx) => {
        await tx.deleteFrom('data_keys').execute();
        const index = await createDataProtection({
          keyService: otherService,
          now: () => t.clock.now(),
          cache: { maxKeys: 1, ttlMs: 1 },
        }).blindIndex(tx, 'email', 'alice@example.test');
        throw Object.assign(new Error('roll back'), { index });
      })
      .catch((error: unknown) => (error as { index: string }).index)
      .finally(() => otherService.close());
    expect(other).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(other).not.toBe(email);
  });
});
