/**
 * @module platform/audit/service
 *
 * What the audit routes will serve (the routes, and the roles allowed to call them, come
 * later): inclusion and consistency proofs for sizes the log has reached, the latest signed
 * checkpoint with the key to verify it, and a filtered, keyset-paginated list of entries. Plain
 * functions over an explicit `deps` object; no HTTP here. Hashes are base64, as in checkpoints.
 */
import type { Kysely } from 'kysely';
import { appError } from '../errors/app-error.ts';
import type { AuditEventsTable, Database } from '../db/schema.ts';
import { checkpointIfDue, latestCheckpointRow, type CheckpointDeps } from './checkpoint/checkpointer.ts';
import { auditLogKey } from './checkpoint/log-key.ts';
import { encodeEntry, entryFromRow, type AuditEntry } from './log/entry.ts';
import { readHead, readRangeHashes } from './log/store.ts';
import { consistencyRanges, inclusionRanges } from '../merkle/subtrees.ts';

export type AuditLogDeps = CheckpointDeps;

export interface InclusionProof {
  readonly entryIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly rootHash: string;
  /** RFC 9162 section 2.1.3.1 audit path, bottom-up. */
  readonly proof: readonly string[];
}

export interface ConsistencyProof {
  readonly fromSize: number;
  readonly toSize: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  /** RFC 9162 section 2.1.4.1 consistency path. */
  readonly proof: readonly string[];
}

export interface Checkpoint {
  readonly treeSize: number;
  readonly rootHash: string;
  /** The C2SP signed note, verifiable with `verifierKey`. */
  readonly note: string;
  readonly verifierKey: string;
}

const base64 = (hash: Buffer): string => hash.toString('base64');

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

async function currentSize(db: Kysely<Database>): Promise<number> {
  return (await readHead(db)).size;
}

/**
 * Proof that entry `entryIndex` is in the tree of `treeSize` entries (one a checkpoint signed).
 * Refuses with `AUDIT_PROOF_RANGE_INVALID` unless 0 ≤ entryIndex < treeSize ≤ the log's size.
 */
export async function getInclusionProof(deps: AuditLogDeps, entryIndex: number, treeSize: number): Promise<InclusionProof> {
  const size = await currentSize(deps.db);
  if (!isCount(entryIndex) || !isCount(treeSize) || entryIndex >= treeSize || treeSize > size) {
    throw appError('AUDIT_PROOF_RANGE_INVALID', { detail: `inclusion of ${entryIndex} in ${treeSize}; log size ${size}` });
  }
  // Leaf, path and root in one query.
  const ranges = [{ start: entryIndex, end: entryIndex + 1 }, ...inclusionRanges(entryIndex, treeSize), { start: 0, end: treeSize }];
  const hashes = await readRangeHashes(deps.db, ranges);
  return {
    entryIndex,
    treeSize,
    leafHash: base64(hashes[0] as Buffer),
    rootHash: base64(hashes.at(-1) as Buffer),
    proof: hashes.slice(1, -1).map(base64),
  };
}

/**
 * Proof that the tree of `toSize` entries extends the tree of `fromSize` entries. Refuses with
 * `AUDIT_PROOF_RANGE_INVALID` unless 1 ≤ fromSize ≤ toSize ≤ the log's size.
 */
export async function getConsistencyProof(deps: AuditLogDeps, fromSize: number, toSize: number): Promise<ConsistencyProof> {
  const size = await currentSize(deps.db);
  if (!isCount(fromSize) || !isCount(toSize) || fromSize < 1 || fromSize > toSize || toSize > size) {
    throw appError('AUDIT_PROOF_RANGE_INVALID', { detail: `consistency ${fromSize} → ${toSize}; log size ${size}` });
  }
  const ranges = [{ start: 0, end: fromSize }, { start: 0, end: toSize }, ...consistencyRanges(fromSize, toSize)];
  const [fromRoot, toRoot, ...proof] = await readRangeHashes(deps.db, ranges);
  return { fromSize, toSize, fromRoot: base64(fromRoot as Buffer), toRoot: base64(toRoot as Buffer), proof: proof.map(base64) };
}

/**
 * The newest signed checkpoint, or null while the log is empty. When one is due (see
 * `audit.checkpointEvery*`) it is signed first, so a witness polling this never waits for a
 * background schedule.
 */
export async function latestCheckpoint(deps: AuditLogDeps): Promise<Checkpoint | null> {
  await checkpointIfDue(deps);
  const row = await latestCheckpointRow(deps.db);
  if (!row) return null;
  return {
    treeSize: row.tree_size,
    rootHash: base64(Buffer.from(row.root_hash, 'hex')),
    note: row.note,
    verifierKey: auditLogKey(deps.keyRing, deps.config).verifier.text,
  };
}

export interface AuditEntryFilter {
  readonly actorId?: string;
  readonly subjectId?: string;
  readonly action?: string;
  /** Entries that happened at or after this time (epoch ms). */
  readonly from?: number;
  /** Entries that happened before this time (epoch ms). */
  readonly to?: number;
}

export interface AuditEntryPage {
  /** Newest first. Default 50, at most 500. */
  readonly limit?: number;
  /** `nextBefore` of the previous page: only entries with a smaller index. */
  readonly before?: number;
}

export interface ListedEntry extends AuditEntry {
  readonly index: number;
  /** The canonical JSON that was hashed: SHA-256(0x00 ‖ entry) is the leaf hash. */
  readonly canonical: string;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 500;

function listed(row: AuditEventsTable): ListedEntry {
  const entry = entryFromRow(row);
  return { index: row.log_index, ...entry, canonical: encodeEntry(entry) };
}

/**
 * Entries matching every given filter, newest first, a page at a time. Pages are keyed on the
 * entry index (keyset pagination), so a page stays correct while entries are appended and its
 * cost does not grow with how far back it is.
 */
export async function listEntries(
  deps: Pick<AuditLogDeps, 'db'>,
  filter: AuditEntryFilter = {},
  page: AuditEntryPage = {},
): Promise<{ entries: ListedEntry[]; nextBefore: number | null }> {
  const limit = page.limit ?? LIST_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT) throw new TypeError(`limit must be 1..${LIST_MAX_LIMIT}`);
  let query = deps.db.selectFrom('audit_events').selectAll();
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  if (filter.subjectId !== undefined) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
  if (page.before !== undefined) query = query.where('log_index', '<', page.before);
  // One extra row tells whether another page exists without a count.
  const rows = await query
    .orderBy('log_index', 'desc')
    .limit(limit + 1)
    .execute();
  const entries = rows.slice(0, limit).map(listed);
  return { entries, nextBefore: rows.length > limit ? (entries.at(-1)?.index ?? null) : null };
}
