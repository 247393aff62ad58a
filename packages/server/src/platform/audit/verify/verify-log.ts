/**
 * @module platform/audit/verify/verify-log
 *
 * Full verification of the stored log, as `portcullis audit verify` runs it: every entry is
 * re-encoded and re-hashed, the whole tree is rebuilt from the entries and compared with every
 * stored subtree hash, the head is compared with the rebuilt frontier, and the root at each
 * checkpoint's size is compared with the checkpoint, whose signature is checked too.
 *
 * The log is read a page at a time (2^14 entries, a perfect subtree): each page is summarised on
 * its own (`page-summary.ts`, in worker threads when asked) and the summaries are combined
 * strictly in log order here, keeping only the frontier, so memory does not grow with the log.
 * The first problem in log order is reported; for an entry, `classify.ts` says whether it was
 * changed, removed, inserted or reordered.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../../config/schema.ts';
import type { AuditLogCheckpointsTable, Database } from '../../db/schema.ts';
import { openCheckpoint } from '../checkpoint/checkpointer.ts';
import type { LogKey } from '../checkpoint/log-key.ts';
import { readHead, type StoredHead } from '../log/store.ts';
import { Frontier, foldRight } from '../../merkle/frontier.ts';
import { completeNodeCount, type NodeKey } from '../../merkle/subtrees.ts';
import { classifyDifference, type EntryProblemKind } from './classify.ts';
import type { PageRequest, PageSummary } from './page-summary.ts';
import { inlinePages, workerPages, type PageSource } from './page-source.ts';

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
  /** Entries per page, a power of two. */
  readonly pageSize?: number;
  /**
   * Summarise pages in this many worker threads, each with its own connection opened from
   * `config` (which must name the same database as `db`). Without it, pages are summarised on
   * `db`, one after the other.
   */
  readonly workers?: { readonly count: number; readonly config: Config };
}

const DEFAULT_PAGE = 2 ** 14;

const toBuffers = (hex: readonly string[]): Buffer[] => hex.map((hash) => Buffer.from(hash, 'hex'));

function rewrittenRange(first: number, last: number): VerifyProblem {
  return {
    kind: 'rewritten',
    entryIndex: first,
    message: `the stored hash of entries ${first}–${last} does not match them: an entry in that range was changed and its leaf hash rewritten`,
  };
}

class LogVerifier {
  readonly #db: Kysely<Database>;
  readonly #key: Pick<LogKey, 'origin' | 'verifier'>;
  readonly #pageSize: number;
  readonly #pageLevel: number;
  /** The tree of every complete page combined so far (its subtrees are page-sized or larger). */
  #frontier = new Frontier();
  readonly #problems: VerifyProblem[] = [];
  /** Checkpoints whose signature verified, ascending by size, not yet reached by the rebuild. */
  readonly #pending: { size: number; root: Buffer }[] = [];
  /** Size of the last checkpoint whose root matched the rebuilt tree. */
  #lastGoodCheckpoint = 0;
  #checkpoints = 0;

  constructor(db: Kysely<Database>, key: Pick<LogKey, 'origin' | 'verifier'>, pageSize: number) {
    this.#db = db;
    this.#key = key;
    this.#pageSize = pageSize;
    this.#pageLevel = Math.round(Math.log2(pageSize));
  }

  async run(source: PageSource): Promise<VerifyReport> {
    const head = await this.#readHead();
    await this.#openCheckpoints(head?.size);
    const entryProblem = head ? await this.#rebuild(head, source) : undefined;
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

  #request(start: number): PageRequest {
    const end = start + this.#pageSize;
    const checkpointSizes = this.#pending.filter((c) => c.size > start && c.size <= end).map((c) => c.size);
    return { start, pageSize: this.#pageSize, checkpointSizes };
  }

  /** Combines the page summaries in log order; returns the first problem found, if any. */
  async #rebuild(head: StoredHead, source: PageSource): Promise<VerifyProblem | undefined> {
    // Pages worth fetching ahead: up to the head, or further when rows were inserted beyond it.
    const lastPage = Math.max(head.size, this.#pending.at(-1)?.size ?? 0);
    for (let start = 0; ; start += this.#pageSize) {
      const upcoming: PageRequest[] = [];
      for (let next = start + this.#pageSize; next < lastPage && upcoming.length < 8; next += this.#pageSize)
        upcoming.push(this.#request(next));
      const page = await source.summarize(this.#request(start), upcoming);
      const problem = await this.#combine(page, head);
      if (problem) return problem;
      if (page.gap) return classifyDifference(this.#db, page.end, head.size);
      if (!page.full) return undefined;
    }
  }

  async #combine(page: PageSummary, head: StoredHead): Promise<VerifyProblem | undefined> {
    const checkpoint = this.#compareCheckpoints(page);
    const difference = page.difference;
    // A stored hash that differs pinpoints the entry; a checkpoint that differs only bounds a
    // range, so it is reported when no differing hash explains it (every hash was rebuilt).
    if (difference && (!checkpoint || difference.index * 2 ** difference.level < checkpoint.size))
      return this.#nodeProblem(difference, head);
    if (checkpoint) return checkpoint.problem;
    if (page.end - page.start === this.#pageSize) return this.#appendPage(page);
    // The last, partial page: the tree is the pages so far followed by this page's subtrees.
    this.#frontier = new Frontier(page.end, [...this.#frontier.hashes, ...toBuffers(page.range)]);
    return undefined;
  }

  /** At each checkpoint's size inside the page, the rebuilt root must be the signed one. */
  #compareCheckpoints(page: PageSummary): { problem: VerifyProblem; size: number } | undefined {
    for (const [size, range] of page.checkpointRanges) {
      const next = this.#pending.shift();
      if (next?.size !== size) throw new TypeError('page summary reached a checkpoint out of order');
      // The pages so far end on a page boundary, so their subtrees followed by the page's are the tree of `size` entries.
      if (foldRight([...this.#frontier.hashes, ...toBuffers(range)]).equals(next.root)) {
        this.#lastGoodCheckpoint = size;
        continue;
      }
      const from = this.#lastGoodCheckpoint;
      const problem: VerifyProblem = {
        kind: 'rewritten',
        entryIndex: from,
        message:
          `the tree of ${size} entries no longer matches its signed checkpoint: entries ${from}–${size - 1} ` +
          'were rewritten together with their stored hashes',
      };
      return { problem, size };
    }
    return undefined;
  }

  /** Adds a complete page to the tree; the subtrees above the page it completes are compared here. */
  async #appendPage(page: PageSummary): Promise<VerifyProblem | undefined> {
    const above: { key: NodeKey; hash: Buffer }[] = [];
    this.#frontier.pushSubtree(this.#pageLevel, Buffer.from(page.range[0] as string, 'hex'), (level, index, hash) => {
      if (level > this.#pageLevel) above.push({ key: { level, index }, hash });
    });
    if (above.length === 0) return undefined;
    const rows = await this.#db
      .selectFrom('audit_log_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) => eb.or(above.map(({ key }) => eb.and([eb('level', '=', key.level), eb('idx', '=', key.index)]))))
      .execute();
    const stored = new Map(rows.map((row) => [`${row.level}/${row.idx}`, row.hash]));
    // Bottom-up: the lowest differing subtree has matching children (the levels below were checked).
    const differing = above.find(({ key, hash }) => stored.get(`${key.level}/${key.index}`) !== hash.toString('hex'));
    if (!differing) return undefined;
    const first = differing.key.index * 2 ** differing.key.level;
    return rewrittenRange(first, first + 2 ** differing.key.level - 1);
  }

  async #nodeProblem(node: NodeKey, head: StoredHead): Promise<VerifyProblem> {
    const first = node.index * 2 ** node.level;
    if (node.level === 0) return classifyDifference(this.#db, first, head.size);
    return rewrittenRange(first, first + 2 ** node.level - 1);
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
  const workers = options.workers;
  const source = workers && workers.count > 0 ? workerPages(workers.config, workers.count) : inlinePages(db);
  try {
    return await new LogVerifier(db, key, pageSize).run(source);
  } finally {
    await source.close();
  }
}
