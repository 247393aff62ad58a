/**
 * @module platform/audit/verify/verify-log
 *
 * Full verification of the stored log, as `portcullis audit verify` runs it: every entry is
 * re-encoded and re-hashed, the whole tree is rebuilt from the entries and compared with every
 * stored subtree hash, the head is compared with the rebuilt frontier, and the root at each
 * checkpoint's size is compared with the checkpoint, whose signature is checked too.
 *
 * It streams: entries are read a page at a time (a page is a perfect subtree of 2^14 leaves),
 * and only the frontier is kept between pages, so memory does not grow with the log. The first
 * problem in log order is reported; for an entry, `classify.ts` says whether it was changed,
 * removed, inserted or reordered.
 */
import { sql, type Kysely } from 'kysely';
import type { AuditEventsTable, AuditLogCheckpointsTable, Database } from '../../db/schema.ts';
import { openCheckpoint } from '../checkpoint/checkpointer.ts';
import type { LogKey } from '../checkpoint/log-key.ts';
import { leafHashOfRow } from '../log/entry.ts';
import { readHead, type StoredHead } from '../log/store.ts';
import { Frontier } from '../merkle/frontier.ts';
import { HASH_BYTES } from '../merkle/hash.ts';
import { completeNodeCount, type NodeKey } from '../merkle/subtrees.ts';
import { classifyDifference, type EntryProblemKind } from './classify.ts';

export type ProblemKind = EntryProblemKind | 'rewritten' | 'checkpoint' | 'head' | 'nodes';

export interface VerifyProblem {
  readonly kind: ProblemKind;
  /** The first entry concerned, when the problem concerns entries. */
  readonly entryIndex: number | null;
  readonly message: string;
}

export interface VerifyReport {
  /** Entries read and re-hashed. */
  readonly entries: number;
  /** Root of the rebuilt tree (of the entries read). */
  readonly root: Buffer;
  readonly checkpoints: number;
  /** The first problem in log order, then any checkpoint whose signature fails. Empty when intact. */
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyOptions {
  /** Leaves per page, a power of two. */
  readonly pageSize?: number;
}

const DEFAULT_PAGE = 2 ** 14;

/** Stored subtrees of one level completed within a page: indexes `[from, to)`. */
interface LevelRange {
  readonly level: number;
  readonly from: number;
  readonly to: number;
}

/** Per level, the subtrees that complete within leaves [start, end). */
function levelRanges(start: number, end: number): LevelRange[] {
  const ranges: LevelRange[] = [];
  for (let level = 0, width = 1; width <= end; level += 1, width *= 2) {
    const from = Math.floor(start / width);
    const to = Math.floor(end / width);
    if (from < to) ranges.push({ level, from, to });
  }
  return ranges;
}

/**
 * The stored hashes of each range, concatenated in index order, one string per level. The
 * database does the concatenation (`string_agg`, PostgreSQL and SQLite ≥ 3.44), so a page of
 * 2^14 leaves costs one row per level instead of 2^15 rows: node rows are most of the log.
 */
async function readStoredLevels(db: Kysely<Database>, ranges: readonly LevelRange[]): Promise<Map<number, string>> {
  if (ranges.length === 0) return new Map();
  const rows = await db
    .selectFrom('audit_log_nodes')
    .select(['level', sql<string>`string_agg(hash, '' order by idx)`.as('hashes')])
    .where((eb) => eb.or(ranges.map((r) => eb.and([eb('level', '=', r.level), eb('idx', '>=', r.from), eb('idx', '<', r.to)]))))
    .groupBy('level')
    .execute();
  return new Map(rows.map((row) => [row.level, row.hashes]));
}

const HEX_PER_HASH = 64;

/**
 * The differing (or missing) stored node that explains the others: a node differs whenever a
 * child does, so only a differing node whose children both match is evidence of its own (a
 * changed leaf, or a leaf hash rewritten along with its entry). Among those, the one covering
 * the earliest entry. `expected` holds the recomputed hashes of each range, back to back.
 */
function firstNodeDifference(
  ranges: readonly LevelRange[],
  expected: ReadonlyMap<number, Buffer>,
  stored: ReadonlyMap<number, string>,
): NodeKey | undefined {
  const differing: NodeKey[] = [];
  for (const range of ranges) {
    const computed = (expected.get(range.level) as Buffer).toString('hex');
    const found = stored.get(range.level) ?? '';
    if (computed === found) continue;
    // Slow path, only for a log that fails: find every differing subtree of this level.
    for (let i = 0; i < range.to - range.from; i += 1) {
      const at = i * HEX_PER_HASH;
      if (computed.slice(at, at + HEX_PER_HASH) !== found.slice(at, at + HEX_PER_HASH))
        differing.push({ level: range.level, index: range.from + i });
    }
  }
  const differs = new Set(differing.map((node) => `${node.level}/${node.index}`));
  const explained = (node: NodeKey): boolean =>
    node.level > 0 && (differs.has(`${node.level - 1}/${2 * node.index}`) || differs.has(`${node.level - 1}/${2 * node.index + 1}`));
  const start = (node: NodeKey): number => node.index * 2 ** node.level;
  return differing.filter((node) => !explained(node)).sort((a, b) => start(a) - start(b) || a.level - b.level)[0];
}

class LogVerifier {
  readonly #db: Kysely<Database>;
  readonly #key: Pick<LogKey, 'origin' | 'verifier'>;
  readonly #pageSize: number;
  readonly #frontier = new Frontier();
  readonly #problems: VerifyProblem[] = [];
  /** Checkpoints whose signature verified, ascending by size, not yet reached by the rebuild. */
  #pending: { size: number; root: Buffer }[] = [];
  /** Size of the last checkpoint whose root matched the rebuilt tree. */
  #lastGoodCheckpoint = 0;
  #checkpoints = 0;

  constructor(db: Kysely<Database>, key: Pick<LogKey, 'origin' | 'verifier'>, pageSize: number) {
    this.#db = db;
    this.#key = key;
    this.#pageSize = pageSize;
  }

  async run(): Promise<VerifyReport> {
    const head = await this.#readHead();
    await this.#openCheckpoints(head?.size);
    const entryProblem = head ? await this.#rebuild(head) : undefined;
    if (entryProblem) this.#problems.unshift(entryProblem);
    else if (head) this.#problems.push(...(await this.#checkTail(head)));
    return { entries: this.#frontier.size, root: this.#frontier.root(), checkpoints: this.#checkpoints, problems: this.#problems };
  }

  async #readHead(): Promise<StoredHead | undefined> {
    try {
      return await readHead(this.#db);
    } catch (error) {
      this.#problems.push({ kind: 'head', entryIndex: null, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  /** Checks every checkpoint's signature; keeps the valid ones to compare roots during the rebuild. */
  async #openCheckpoints(logSize: number | undefined): Promise<void> {
    const rows: AuditLogCheckpointsTable[] = await this.#db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size').execute();
    this.#checkpoints = rows.length;
    for (const row of rows) {
      try {
        this.#pending.push(openCheckpoint(row, this.#key));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.#problems.push({
          kind: 'checkpoint',
          entryIndex: null,
          message: `the checkpoint for ${row.tree_size} entries is not valid: ${reason}`,
        });
      }
    }
    const beyond = this.#pending.find((checkpoint) => logSize !== undefined && checkpoint.size > logSize);
    if (beyond && logSize !== undefined) {
      this.#problems.push({
        kind: 'removed',
        entryIndex: logSize,
        message: `a checkpoint was signed for ${beyond.size} entries but the log head says ${logSize}: entries from ${logSize} on were removed`,
      });
    }
  }

  /** Streams the entries page by page; returns the first problem found, if any. */
  async #rebuild(head: StoredHead): Promise<VerifyProblem | undefined> {
    for (let start = 0; ; start += this.#pageSize) {
      const rows = await this.#db
        .selectFrom('audit_events')
        .selectAll()
        .where('log_index', '>=', start)
        .orderBy('log_index')
        .limit(this.#pageSize)
        .execute();
      if (rows.length === 0) return undefined;
      // Rows up to the first gap are rebuilt; a gap is classified after them.
      let end = start;
      while (end - start < rows.length && rows[end - start]?.log_index === end) end += 1;
      const ranges = levelRanges(start, end);
      const expected = new Map(ranges.map((r) => [r.level, Buffer.allocUnsafe((r.to - r.from) * HASH_BYTES)]));
      const record = (level: number, index: number, hash: Buffer): void => {
        // Levels with completed subtrees are 0, 1, … without holes, so ranges[level] is that level.
        const range = ranges[level] as LevelRange;
        hash.copy(expected.get(level) as Buffer, (index - range.from) * HASH_BYTES);
      };
      let checkpoint: { problem: VerifyProblem; size: number } | undefined;
      for (let i = 0; i < end - start; i += 1) {
        this.#frontier.push(leafHashOfRow(rows[i] as AuditEventsTable), record);
        checkpoint ??= this.#compareCheckpoint();
      }
      const difference = firstNodeDifference(ranges, expected, await readStoredLevels(this.#db, ranges));
      // A stored hash that differs pinpoints the entry; a checkpoint that differs only bounds a
      // range, so it is reported when no differing hash explains it (every hash was rebuilt).
      if (difference && (!checkpoint || difference.index * 2 ** difference.level < checkpoint.size))
        return this.#nodeProblem(difference, head);
      if (checkpoint) return checkpoint.problem;
      if (end - start < rows.length) return classifyDifference(this.#db, end, head.size);
      if (rows.length < this.#pageSize) return undefined;
    }
  }

  /** At a checkpoint's size, the rebuilt root must be the signed one. */
  #compareCheckpoint(): { problem: VerifyProblem; size: number } | undefined {
    const next = this.#pending[0];
    if (next?.size !== this.#frontier.size) return undefined;
    this.#pending.shift();
    if (this.#frontier.root().equals(next.root)) {
      this.#lastGoodCheckpoint = next.size;
      return undefined;
    }
    const from = this.#lastGoodCheckpoint;
    const problem: VerifyProblem = {
      kind: 'rewritten',
      entryIndex: from,
      message:
        `the tree of ${next.size} entries no longer matches its signed checkpoint: entries ${from}–${next.size - 1} ` +
        'were rewritten together with their stored hashes',
    };
    return { problem, size: next.size };
  }

  async #nodeProblem(node: NodeKey, head: StoredHead): Promise<VerifyProblem> {
    const first = node.index * 2 ** node.level;
    if (node.level === 0) return classifyDifference(this.#db, first, head.size);
    const last = Math.min(first + 2 ** node.level, this.#frontier.size) - 1;
    return {
      kind: 'rewritten',
      entryIndex: first,
      message: `the stored hash of entries ${first}–${last} does not match them: an entry in that range was changed and its leaf hash rewritten`,
    };
  }

  /** After the last entry: the head, the node count and any checkpoint not reached. */
  async #checkTail(head: StoredHead): Promise<VerifyProblem[]> {
    const size = this.#frontier.size;
    if (size < head.size) {
      // Entries missing at the end; classify names the first one.
      return [await classifyDifference(this.#db, size, head.size)];
    }
    const problems: VerifyProblem[] = [];
    if (size > head.size) {
      problems.push({ kind: 'inserted', entryIndex: head.size, message: `entry ${head.size} was inserted after the last logged entry` });
    } else if (!this.#frontier.root().equals(head.frontier.root())) {
      problems.push({ kind: 'head', entryIndex: null, message: 'the log head does not match the entries (its frontier was changed)' });
    }
    const counted = await this.#db
      .selectFrom('audit_log_nodes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    const expected = completeNodeCount(head.size);
    if (Number(counted?.n ?? 0) !== expected) {
      problems.push({
        kind: 'nodes',
        entryIndex: null,
        message: `the log stores ${String(counted?.n)} subtree hashes where it should store ${expected}`,
      });
    }
    return problems;
  }
}

/** Verifies the whole stored log against its entries and its signed checkpoints. */
export async function verifyAuditLog(
  db: Kysely<Database>,
  key: Pick<LogKey, 'origin' | 'verifier'>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || (pageSize & (pageSize - 1)) !== 0)
    throw new TypeError('pageSize must be a power of two');
  return new LogVerifier(db, key, pageSize).run();
}
