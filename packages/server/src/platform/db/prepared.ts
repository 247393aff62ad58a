/**
 * @module platform/db/prepared
 *
 * Queries that Kysely builds and compiles once per dialect and that then run with new values.
 * Kysely rebuilds its immutable query tree and recompiles the SQL on every call; on the paths
 * every sign-in or authenticated request takes, that costs more CPU than the database takes to
 * run the statement. A prepared query is written with the query builder as usual, but receives
 * placeholders instead of values: each is a marker string the compiled parameters are scanned
 * for, and each call substitutes its own values for the markers.
 *
 * Rule for the builder function: pass every placeholder straight to Kysely as a value (in
 * `where`, `set`, `values`, …). Do not inspect, transform or spread it; a placeholder that does
 * not reach the compiled parameters is caught at the first compile (a `TypeError`).
 *
 * @example
 * const findEmail = preparedQuery((db, p: { id: string }) =>
 *   db.selectFrom('accounts').select('email').where('id', '=', p.id),
 * );
 * const rows = await findEmail.rows(db, { id });
 */
import type { Compilable, CompiledQuery, DialectAdapter, Insertable, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/** Where each compiled parameter comes from: a named value of the call, or a constant of the build. */
type Slot = { readonly name: string } | { readonly constant: unknown };

interface Compiled<R> {
  readonly query: CompiledQuery<R>;
  readonly slots: readonly Slot[];
}

/** No SQL value a caller passes contains NUL, so a marker cannot be confused with data. */
const MARKER_PREFIX = '\u0000placeholder:';

function placeholders(): { readonly values: object; readonly used: Set<string> } {
  const used = new Set<string>();
  const values = new Proxy(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string') throw new TypeError('placeholders have string names');
        used.add(name);
        return MARKER_PREFIX + name;
      },
      ownKeys() {
        throw new TypeError('spread placeholders field by field: a prepared query needs every value by name');
      },
    },
  );
  return { values, used };
}

function compileWithSlots<R>(db: Db, build: (db: Db, p: never) => Compilable<R>): Compiled<R> {
  const { values, used } = placeholders();
  const query = build(db, values as never).compile();
  const slots = query.parameters.map((value): Slot =>
    typeof value === 'string' && value.startsWith(MARKER_PREFIX) ? { name: value.slice(MARKER_PREFIX.length) } : { constant: value },
  );
  const reached = new Set(slots.flatMap((slot) => ('name' in slot ? [slot.name] : [])));
  const lost = [...used].filter((name) => !reached.has(name));
  if (lost.length > 0) throw new TypeError(`prepared query placeholders ${lost.join(', ')} did not reach the SQL parameters`);
  return { query, slots };
}

function bind<R>({ query, slots }: Compiled<R>, values: Readonly<Record<string, unknown>>): CompiledQuery<R> {
  return {
    ...query,
    parameters: slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      const value = values[slot.name];
      if (value === undefined) throw new TypeError(`prepared query value ${slot.name} is missing`);
      return value;
    }),
  };
}

/** The compiled form depends only on the dialect: a transaction shares its database's adapter. */
function adapterOf(db: Db): DialectAdapter {
  return db.getExecutor().adapter;
}

export interface PreparedQuery<P, R> {
  /** Runs the query with `values` on `db` (a database or a transaction). */
  execute(db: Db, values: P): Promise<QueryResult<R>>;
  /** The rows it returned (for `select`, or `returning`). */
  rows(db: Db, values: P): Promise<R[]>;
  /** How many rows it changed (for `insert`, `update`, `delete`). */
  changed(db: Db, values: P): Promise<bigint>;
}

/** A query compiled at its first use on each dialect; see the module comment for the rule. */
export function preparedQuery<P extends object, R>(build: (db: Db, p: P) => Compilable<R>): PreparedQuery<P, R> {
  const compiled = new WeakMap<DialectAdapter, Compiled<R>>();
  const compiledFor = (db: Db): Compiled<R> => {
    const adapter = adapterOf(db);
    let entry = compiled.get(adapter);
    if (!entry) {
      entry = compileWithSlots(db, build as (db: Db, p: never) => Compilable<R>);
      compiled.set(adapter, entry);
    }
    return entry;
  };
  const execute = async (db: Db, values: P): Promise<QueryResult<R>> =>
    db.executeQuery(bind(compiledFor(db), values as Readonly<Record<string, unknown>>));
  return {
    execute,
    rows: async (db, values) => (await execute(db, values)).rows,
    changed: async (db, values) => (await execute(db, values)).numAffectedRows ?? 0n,
  };
}

type Row<T extends keyof Database> = Insertable<Database[T]>;
type ColumnOf<T extends keyof Database> = keyof Database[T] & string;
/** `C` itself when it names every column of table `T`; otherwise a type naming the missing ones. */
type EveryColumn<T extends keyof Database, C extends readonly ColumnOf<T>[]> =
  Exclude<ColumnOf<T>, C[number]> extends never ? C : { readonly missingColumns: Exclude<ColumnOf<T>, C[number]> };

/**
 * `INSERT INTO table (columns) VALUES …` for any number of rows, compiled once per row count.
 * `columns` must name every column of the table (checked by the compiler), and every row must
 * carry a value for each (`null` for NULL; a missing value is an error), so one compiled
 * statement fits every call with that many rows.
 */
export function preparedInsert<T extends keyof Database, const C extends readonly ColumnOf<T>[]>(
  table: T,
  columns: C & EveryColumn<T, C>,
): (db: Db, rows: readonly Row<T>[]) => Promise<void> {
  const byCount = new Map<number, PreparedQuery<Readonly<Record<string, unknown>>, unknown>>();
  const forCount = (count: number) => {
    let query = byCount.get(count);
    if (!query) {
      query = preparedQuery((db, p: Readonly<Record<string, unknown>>) =>
        db
          .insertInto(table)
          .values(
            Array.from({ length: count }, (_, row) =>
              Object.fromEntries(columns.map((column) => [column, p[`${row}.${column}`]])),
            ) as never,
          ),
      );
      byCount.set(count, query);
    }
    return query;
  };
  return async (db, rows) => {
    if (rows.length === 0) return;
    const values: Record<string, unknown> = {};
    rows.forEach((row, index) => {
      for (const column of columns) values[`${index}.${column}`] = (row as Record<string, unknown>)[column];
    });
    await forCount(rows.length).execute(db, values);
  };
}
