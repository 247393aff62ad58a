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
import type { Kysely } from 'kysely';
import type { AuditLogCheckpointsTable, Database } from '../../db/schema.ts';
import { openCheckpoint } from '../checkpoint/checkpointer.ts';
import type { LogKey } from '../checkpoint/log-key.ts';
import { leafHashOfRow } from '../log/entry.ts';
import { readHead, type StoredHead } from '../log/store.ts';
import { Frontier, type CompletedNode } from '../merkle/frontier.ts';
import { completeNodeCount } from '../merkle/subtrees.ts';
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

/** Stored subtrees completed within leaves [start, end), grouped by level, each level in index order. */
async function readPageNodes(db: Kysely<Database>, start: number, end: number): Promise<Map<number, { idx: number; hash: string }[]>> {
  const terms: { level: number; from: number; to: number }[] = [];
  for (let level = 0, width = 1; width <= end; level += 1, width *= 2) {
    const from = Math.floor(start / width);
    const to = Math.floor(end / width);
    if (from < to) terms.push({ level, from, to });
  }
  const rows = await db
    .selectFrom('audit_log_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) => eb.or(terms.map((t) => eb.and([eb('level', '=', t.level), eb('idx', '>=', t.from), eb('idx', '<', t.to)]))))
    .orderBy('level')
    .orderBy('idx')
    .execute();
  const byLevel = new Map<number, { idx: number; hash: string }[]>();
  for (const row of rows) {
    const level = byLevel.get(row.level);
    if (level) level.push(row);
    else byLevel.set(row.level, [row]);
  }
  return byLevel;
}

/**
 * The completed node whose stored hash differs (or is missing) and that explains the others: a
 * node differs whenever a child does, so only a differing node whose children both match is
 * evidence of its own (a changed leaf, or a leaf hash rewritten along with its entry). Among
 * those, the one covering the earliest entry.
 */
function firstNodeDifference(
  completed: readonly CompletedNode[],
  stored: Map<number, { idx: number; hash: string }[]>,
): CompletedNode | undefined {
  const storedHash = new Map<string, string>();
  for (const [level, rows] of stored) for (const row of rows) storedHash.set(`${level}/${row.idx}`, row.hash);
  const differing = completed.filter((node) => storedHash.get(`${node.level}/${node.index}`) !== node.hash.toString('hex'));
  const differs = new Set(differing.map((node) => `${node.level}/${node.index}`));
  const explained = (node: CompletedNode): boolean =>
    node.level > 0 && (differs.has(`${node.level - 1}/${2 * node.index}`) || differs.has(`${node.level - 1}/${2 * node.index + 1}`));
  const start = (node: CompletedNode): number => node.index * 2 ** node.level;
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
      const completed: CompletedNode[] = [];
      let checkpoint: { problem: VerifyProblem; size: number } | undefined;
      let gapAt: number | undefined;
      for (const row of rows) {
        if (row.log_index !== this.#frontier.size) {
          gapAt = this.#frontier.size;
          break;
        }
        completed.push(...this.#frontier.append(leafHashOfRow(row)));
        checkpoint ??= this.#compareCheckpoint();
      }
      const difference = firstNodeDifference(completed, await readPageNodes(this.#db, start, this.#frontier.size));
      // A stored hash that differs pinpoints the entry; a checkpoint that differs only bounds a
      // range, so it is reported when no differing hash explains it (every hash was rebuilt).
      if (difference && (!checkpoint || difference.index * 2 ** difference.level < checkpoint.size))
        return this.#nodeProblem(difference, head);
      if (checkpoint) return checkpoint.problem;
      if (gapAt !== undefined) return classifyDifference(this.#db, gapAt, head.size);
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

  async #nodeProblem(node: CompletedNode, head: StoredHead): Promise<VerifyProblem> {
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
