/**
 * @module platform/audit/verify/page-summary
 *
 * The unit of work of a full verification: one page of entries `[start, start + pageSize)`,
 * `start` a multiple of the page size. The page's rows are re-encoded and re-hashed, every
 * subtree inside the page is rebuilt and compared with the stored ones, and what the rest of
 * the verification needs is returned: where the rows stop matching their indexes, the roots of
 * the page's perfect subtrees (to continue the tree), the same at each checkpoint size inside
 * the page, and the first stored subtree that differs. Pages are independent, so they can be
 * summarised in parallel (`page-worker.ts`) and combined in order (`verify-log.ts`).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { leafHashOfRow } from '../log/entry.ts';
import { Frontier } from '../../merkle/frontier.ts';
import { HASH_BYTES } from '../../merkle/hash.ts';
import type { NodeKey } from '../../merkle/subtrees.ts';

export interface PageRequest {
  readonly start: number;
  readonly pageSize: number;
  /** Checkpoint sizes S with start < S ≤ start + pageSize, ascending. */
  readonly checkpointSizes: readonly number[];
}

export interface PageSummary {
  readonly start: number;
  /** One past the last entry rebuilt: rows `start … end - 1` carried exactly those indexes. */
  readonly end: number;
  /** A row followed with another index than `end`: entry `end` is missing or misplaced. */
  readonly gap: boolean;
  /** The page held `pageSize` rows, so more may follow. */
  readonly full: boolean;
  /** Roots of the perfect subtrees of leaves [start, end), largest first, as hex. */
  readonly range: readonly string[];
  /** For each checkpoint size S reached in the page: the roots of [start, S), as hex. */
  readonly checkpointRanges: readonly (readonly [number, readonly string[]])[];
  /** The first stored subtree of the page that differs while its children match, if any. */
  readonly difference: NodeKey | null;
}

/** Subtrees of one level completed within the page: indexes `[from, to)`. */
interface LevelRange {
  readonly level: number;
  readonly from: number;
  readonly to: number;
}

const HEX_PER_HASH = 2 * HASH_BYTES;

/**
 * The stored hashes of one level's range concatenated in index order by the database
 * (`string_agg`, PostgreSQL and SQLite ≥ 3.44): node rows are most of the log, and one string
 * per level crosses into JavaScript instead of one row per node.
 */
async function readStoredLevel(db: Kysely<Database>, range: LevelRange): Promise<string> {
  const row = await db
    .selectFrom('audit_log_nodes')
    .select(sql<string | null>`string_agg(hash, '' order by idx)`.as('hashes'))
    .where('level', '=', range.level)
    .where('idx', '>=', range.from)
    .where('idx', '<', range.to)
    .executeTakeFirst();
  return row?.hashes ?? '';
}

/**
 * The differing (or missing) stored subtree that explains the others: a subtree differs
 * whenever a child does, so only one whose children both match is evidence of its own (a
 * changed leaf, or a leaf hash rewritten along with its entry). Among those, the one covering
 * the earliest entry.
 */
function firstDifference(ranges: readonly LevelRange[], expected: readonly Buffer[], stored: readonly string[]): NodeKey | null {
  const differing: NodeKey[] = [];
  ranges.forEach((range, i) => {
    const computed = (expected[i] as Buffer).toString('hex');
    const found = stored[i] ?? '';
    if (computed === found) return;
    // Only for a log that fails: find every differing subtree of this level.
    for (let n = 0; n < range.to - range.from; n += 1) {
      const at = n * HEX_PER_HASH;
      if (computed.slice(at, at + HEX_PER_HASH) !== found.slice(at, at + HEX_PER_HASH))
        differing.push({ level: range.level, index: range.from + n });
    }
  });
  const differs = new Set(differing.map((node) => `${node.level}/${node.index}`));
  const explained = (node: NodeKey): boolean =>
    node.level > 0 && (differs.has(`${node.level - 1}/${2 * node.index}`) || differs.has(`${node.level - 1}/${2 * node.index + 1}`));
  const first = (node: NodeKey): number => node.index * 2 ** node.level;
  return differing.filter((node) => !explained(node)).sort((a, b) => first(a) - first(b) || a.level - b.level)[0] ?? null;
}

export async function summarizePage(db: Kysely<Database>, request: PageRequest): Promise<PageSummary> {
  const { start, pageSize } = request;
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('log_index', '>=', start)
    .orderBy('log_index')
    .limit(pageSize)
    .execute();
  let end = start;
  while (end - start < rows.length && rows[end - start]?.log_index === end) end += 1;

  // Levels whose subtrees lie inside the page: 2^level ≤ pageSize (start is aligned to it).
  const ranges: LevelRange[] = [];
  for (let level = 0, width = 1; width <= pageSize && width <= end - start; level += 1, width *= 2) {
    ranges.push({ level, from: start / width, to: Math.floor(end / width) });
  }
  const expected = ranges.map((range) => Buffer.allocUnsafe((range.to - range.from) * HASH_BYTES));
  const page = new Frontier();
  const record = (level: number, index: number, hash: Buffer): void => {
    // `index` counts from the page start; the range of this level starts there too.
    hash.copy(expected[level] as Buffer, index * HASH_BYTES);
  };
  const checkpointRanges: [number, string[]][] = [];
  let nextCheckpoint = 0;
  for (let i = 0; i < end - start; i += 1) {
    page.push(leafHashOfRow(rows[i] as (typeof rows)[number]), record);
    if (request.checkpointSizes[nextCheckpoint] === start + page.size) {
      checkpointRanges.push([start + page.size, page.hashes.map((hash) => hash.toString('hex'))]);
      nextCheckpoint += 1;
    }
  }
  const stored: string[] = [];
  for (const range of ranges) stored.push(await readStoredLevel(db, range));
  return {
    start,
    end,
    gap: end - start < rows.length,
    full: rows.length === pageSize,
    range: page.hashes.map((hash) => hash.toString('hex')),
    checkpointRanges,
    difference: firstDifference(ranges, expected, stored),
  };
}
