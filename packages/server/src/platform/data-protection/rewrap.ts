/**
 * @module platform/data-protection/rewrap
 *
 * Key-encryption-key rotation, online: `rotateDataKeys` makes a new KEK version current (or, when
 * data keys still sit under an older version, resumes the rotation that left them there), then
 * re-wraps every stored data key whose `kek_version` is not the current one, and finally retires
 * every old version that no data key uses any more.
 *
 * Each batch unwraps and wraps outside the database, then writes its rows in one short
 * transaction, each update conditioned on the row still holding the wrapped bytes it read
 * (optimistic check): a key erased or replaced meanwhile is left alone, never overwritten.
 * Nothing but the rows themselves records progress, so a run stopped at any point (a crash, an
 * operator's Ctrl-C) is resumed by running it again; a data key is never lost, because the old
 * KEK is destroyed only once no row refers to it, after a grace period and one more sweep for
 * transactions that wrapped a key under the old version and had not committed yet. Readers are unaffected: a data key keeps its
 * bytes, only its wrapping changes, and every instance keeps unwrapping under the old version
 * until it is retired.
 */
import type { Kysely } from 'kysely';
import type { Auditor } from '../audit/auditor.ts';
import type { Database } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';
import { KeyUnwrapError, type KeyService } from '../kms/index.ts';
import { dataKeyContext, type DataKeyRow } from './data-keys.ts';

export const DEFAULT_REWRAP_BATCH_SIZE = 200;

/** How long a rotation waits before retiring, for transactions that wrapped under the old version to commit. */
export const DEFAULT_RETIRE_GRACE_MS = 20_000;

/** Passes over the table: a second one picks up keys an instance wrapped under the old version while the first ran. */
const MAX_PASSES = 5;

export interface RewrapProgress {
  /** The KEK version data keys are moved to. */
  readonly target: string;
  /** Data keys re-wrapped (or found already moved) so far in this pass. */
  readonly done: number;
  /** Data keys that were under another version when this pass started. */
  readonly total: number;
  /** Batches committed so far in this run. */
  readonly batches: number;
}

export interface RotateOptions {
  readonly db: Kysely<Database>;
  readonly keyService: KeyService;
  readonly batchSize?: number;
  /** Called after each committed batch (progress bars); throwing from it stops the run there. */
  readonly onBatch?: (progress: RewrapProgress) => void;
  /** Writes `kek.rotated` and `kek.retired` entries when given. */
  readonly audit?: Auditor;
  /**
   * `unused` (default): retire every old version no data key uses any more. `none`: keep them,
   * so backups taken before the rotation can still be restored; retire later with `retireKekVersion`.
   */
  readonly retire?: 'unused' | 'none';
  /**
   * Wait this long after the last pass, then sweep once more, before retiring anything
   * (default 20 s): longer than any transaction that may still commit a key wrapped under the
   * old version. Tests and benchmarks that have no such writer pass 0.
   */
  readonly retireGraceMs?: number;
}

export interface RotationReport {
  /** The current KEK version at the end. */
  readonly target: string;
  /** Whether this run created `target` (false: it resumed an unfinished rotation). */
  readonly created: boolean;
  readonly rewrapped: number;
  /** Rows changed by someone else between read and write (erased, re-created): left as they were. */
  readonly skipped: number;
  /** Data keys that did not unwrap (their version is kept). */
  readonly unreadable: number;
  readonly retired: readonly string[];
  /** Old versions kept (still in use, or `retire: 'none'`), with how many data keys use each. */
  readonly kept: Readonly<Record<string, number>>;
}

export interface KeyStatus {
  readonly current: string;
  /** Every version the key service holds, oldest first, with the data keys it wraps. */
  readonly versions: readonly { readonly version: string; readonly dataKeys: number }[];
  /** Data keys that name a version the key service no longer holds. */
  readonly orphaned: Readonly<Record<string, number>>;
}

/** Raised when `retireKekVersion` is asked to destroy a version that still wraps data keys, or the current one. */
export class KekInUseError extends Error {
  override readonly name = 'KekInUseError';
}

async function dataKeysPerVersion(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('data_keys')
    .select(['kek_version', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
    .groupBy('kek_version')
    .execute();
  return new Map(rows.map((row) => [row.kek_version, Number(row.count)]));
}

/** KEK versions with the number of data keys each wraps (`portcullis keys status`). */
export async function keyStatus(db: Kysely<Database>, keyService: KeyService): Promise<KeyStatus> {
  const { current, all } = await keyService.versions();
  const counts = await dataKeysPerVersion(db);
  const orphaned: Record<string, number> = {};
  for (const [version, count] of counts) if (!all.includes(version)) orphaned[version] = count;
  return { current, versions: all.map((version) => ({ version, dataKeys: counts.get(version) ?? 0 })), orphaned };
}

/**
 * Destroys KEK `version` in the key service, refusing while any data key is still wrapped by it
 * (its owner's data would be lost for good) or when it is the current version.
 */
export async function retireKekVersion(options: Pick<RotateOptions, 'db' | 'keyService' | 'audit'>, version: string): Promise<void> {
  const { current } = await options.keyService.versions();
  if (version === current) throw new KekInUseError(`KEK ${version} is current and cannot be retired`);
  const inUse = (await dataKeysPerVersion(options.db)).get(version) ?? 0;
  if (inUse > 0) throw new KekInUseError(`KEK ${version} still wraps ${inUse} data key(s); rotate them first`);
  await options.keyService.retire(version);
  const { audit } = options;
  if (audit) await audit('kek.retired', { detail: version });
}

async function rewrapBatch(
  options: RotateOptions,
  rows: readonly DataKeyRow[],
  target: string,
): Promise<{ rewrapped: number; skipped: number; unreadable: number }> {
  const updates: { row: DataKeyRow; wrapped: string }[] = [];
  let unreadable = 0;
  for (const row of rows) {
    const context = dataKeyContext(row.subject_id, row.version);
    let key: Uint8Array;
    try {
      key = await options.keyService.unwrap({ kekVersion: row.kek_version, wrapped: row.wrapped }, context);
    } catch (error) {
      if (!(error instanceof KeyUnwrapError)) throw error;
      unreadable += 1;
      continue;
    }
    const wrapped = await options.keyService.wrap(key, context);
    key.fill(0);
    if (wrapped.kekVersion !== target) {
      throw new Error(`the key service now wraps under ${wrapped.kekVersion}, not ${target}: another rotation is running`);
    }
    updates.push({ row, wrapped: wrapped.wrapped });
  }
  let rewrapped = 0;
  await withTransaction(options.db, async (tx) => {
    for (const { row, wrapped } of updates) {
      const result = await tx
        .updateTable('data_keys')
        .set({ kek_version: target, wrapped })
        .where('subject_id', '=', row.subject_id)
        .where('version', '=', row.version)
        .where('wrapped', '=', row.wrapped)
        .executeTakeFirst();
      rewrapped += Number(result.numUpdatedRows);
    }
  });
  return { rewrapped, skipped: updates.length - rewrapped, unreadable };
}

/** Re-wraps every data key not under `target`, pass after pass, adding to `totals`. */
async function rewrapPasses(
  options: RotateOptions,
  target: string,
  batchSize: number,
  totals: { rewrapped: number; skipped: number; unreadable: number; batches: number },
): Promise<void> {
  const { db } = options;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const total = Number(
      (
        await db
          .selectFrom('data_keys')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
          .where('kek_version', '!=', target)
          .executeTakeFirstOrThrow()
      ).count,
    );
    if (total === 0) return;
    let done = 0;
    let after: { subject_id: string; version: number } | undefined;
    let passUnreadable = 0;
    for (;;) {
      let query = db.selectFrom('data_keys').select(['subject_id', 'version', 'kek_version', 'wrapped']).where('kek_version', '!=', target);
      const cursor = after;
      if (cursor !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('subject_id', '>', cursor.subject_id),
            eb.and([eb('subject_id', '=', cursor.subject_id), eb('version', '>', cursor.version)]),
          ]),
        );
      }
      const rows = await query.orderBy('subject_id').orderBy('version').limit(batchSize).execute();
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      const outcome = await rewrapBatch(options, rows, target);
      totals.rewrapped += outcome.rewrapped;
      totals.skipped += outcome.skipped;
      passUnreadable += outcome.unreadable;
      done += rows.length;
      totals.batches += 1;
      after = { subject_id: last.subject_id, version: last.version };
      options.onBatch?.({ target, done: Math.min(done, total), total: Math.max(done, total), batches: totals.batches });
    }
    totals.unreadable = passUnreadable;
    // Only keys that do not unwrap are left: another pass would not move them.
    if (passUnreadable >= total) return;
  }
}

/**
 * Rotates the KEK and re-wraps every data key under it, in batches; resumable (see the module
 * comment). Throws `KeyServiceUnavailableError` when the key service goes away: run it again.
 *
 * @example
 * const report = await rotateDataKeys({ db, keyService, onBatch: (p) => bar.update(p.done, p.total) });
 */
export async function rotateDataKeys(options: RotateOptions): Promise<RotationReport> {
  const { db, keyService } = options;
  const batchSize = options.batchSize ?? DEFAULT_REWRAP_BATCH_SIZE;
  let { current: target } = await keyService.versions();
  const behind = [...(await dataKeysPerVersion(db))].some(([version, count]) => version !== target && count > 0);
  const created = !behind;
  if (created) {
    target = await keyService.rotate();
    const { audit } = options;
    if (audit) await audit('kek.rotated', { detail: target });
  }
  const totals = { rewrapped: 0, skipped: 0, unreadable: 0, batches: 0 };
  await rewrapPasses(options, target, batchSize, totals);
  const old = (await keyService.versions()).all.filter((version) => version !== target);
  if (options.retire !== 'none' && old.length > 0 && (options.retireGraceMs ?? DEFAULT_RETIRE_GRACE_MS) > 0) {
    // A transaction that wrapped a new data key under the old version just before it stopped
    // being current may commit after the last pass: wait it out and sweep once more before any
    // version is destroyed, or that person's key would be lost with it.
    await new Promise((resolve) => setTimeout(resolve, options.retireGraceMs ?? DEFAULT_RETIRE_GRACE_MS));
    await rewrapPasses(options, target, batchSize, totals);
  }
  const { rewrapped, skipped, unreadable } = totals;
  const retired: string[] = [];
  const kept: Record<string, number> = {};
  const counts = await dataKeysPerVersion(db);
  for (const version of (await keyService.versions()).all) {
    if (version === target) continue;
    const inUse = counts.get(version) ?? 0;
    if (inUse > 0 || options.retire === 'none') {
      kept[version] = inUse;
      continue;
    }
    await retireKekVersion(options, version);
    retired.push(version);
  }
  return { target, created, rewrapped, skipped, unreadable, retired, kept };
}
