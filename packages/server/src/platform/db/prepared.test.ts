import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { preparedInsert, preparedQuery, withTransaction } from './index.ts';

describe.each(testDatabases())('prepared queries on $dialect', ({ dialect }) => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
  });

  async function database() {
    app = await buildTestApp({ dialect });
    return app.portcullis.database.db;
  }

  it('builds and compiles once, then runs each call with its own values, in and out of transactions', async () => {
    const db = await database();
    let builds = 0;
    const valueOf = preparedQuery((q, p: { key: string }) => {
      builds += 1;
      return q.selectFrom('instance_meta').select('value').where('key', '=', p.key).where('value', 'is not', null);
    });
    const insertMeta = preparedInsert('instance_meta', ['key', 'value']);
    await insertMeta(db, [
      { key: 'prepared_a', value: 'A' },
      { key: 'prepared_b', value: 'B' },
    ]);
    await withTransaction(db, (tx) => insertMeta(tx, [{ key: 'prepared_c', value: 'C' }]));
    expect(await valueOf.rows(db, { key: 'prepared_a' })).toEqual([{ value: 'A' }]);
    expect(await valueOf.rows(db, { key: 'prepared_b' })).toEqual([{ value: 'B' }]);
    expect(await withTransaction(db, (tx) => valueOf.rows(tx, { key: 'prepared_c' }))).toEqual([{ value: 'C' }]);
    expect(await valueOf.rows(db, { key: 'absent' })).toEqual([]);
    expect(builds).toBe(1);
  });

  it('substitutes a value used in several places, and keeps the constants of the build', async () => {
    const db = await database();
    await preparedInsert('instance_meta', ['key', 'value'])(db, [{ key: 'prepared_twice', value: 'prepared_twice' }]);
    const sameKeyAndValue = preparedQuery((q, p: { text: string }) =>
      q.selectFrom('instance_meta').select('key').where('key', '=', p.text).where('value', '=', p.text).where('key', '!=', 'constant'),
    );
    expect(await sameKeyAndValue.rows(db, { text: 'prepared_twice' })).toEqual([{ key: 'prepared_twice' }]);
    const update = preparedQuery((q, p: { key: string; value: string }) =>
      q.updateTable('instance_meta').set({ value: p.value }).where('key', '=', p.key),
    );
    expect(await update.changed(db, { key: 'prepared_twice', value: 'changed' })).toBe(1n);
    expect(await update.changed(db, { key: 'absent', value: 'changed' })).toBe(0n);
  });

  it('refuses a placeholder that never reaches the SQL, a spread of placeholders and a missing value', async () => {
    const db = await database();
    const transformed = preparedQuery((q, p: { key: string }) =>
      q.selectFrom('instance_meta').select('key').where('key', '=', `${p.key}!`),
    );
    await expect(transformed.rows(db, { key: 'x' })).rejects.toThrow(/did not reach the SQL parameters/);
    const spread = preparedQuery((q, p: { key: string; value: string }) => q.insertInto('instance_meta').values({ ...p }));
    await expect(spread.execute(db, { key: 'x', value: 'y' })).rejects.toThrow(/field by field/);
    const valueOf = preparedQuery((q, p: { key: string }) => q.selectFrom('instance_meta').select('value').where('key', '=', p.key));
    await expect(valueOf.rows(db, {} as { key: string })).rejects.toThrow(/value key is missing/);
    const insertMeta = preparedInsert('instance_meta', ['key', 'value']);
    await expect(insertMeta(db, [{ key: 'no_value' } as { key: string; value: string }])).rejects.toThrow(/value 0\.value is missing/);
    expect(await db.selectFrom('instance_meta').select('key').where('key', '=', 'no_value').execute()).toEqual([]);
  });

  it('names every column of the table in an insert (a compile-time check)', () => {
    // @ts-expect-error -- 'value' is missing: a new column must not be silently left to its default
    const partial = preparedInsert('instance_meta', ['key']);
    expect(typeof partial).toBe('function');
  });
});
