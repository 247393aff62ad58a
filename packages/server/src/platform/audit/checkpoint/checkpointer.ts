/**
 * @module platform/audit/checkpoint/checkpointer
 *
 * Cuts and signs checkpoints: when `audit.checkpointEveryEntries` entries were appended since
 * the last checkpoint, or `audit.checkpointEverySeconds` passed and the log grew, the current
 * tree head is signed as a C2SP checkpoint and stored. Before signing, the new head is proven
 * consistent (RFC 9162 consistency proof) with the last signed one, whose signature is checked
 * first: a log must never sign a tree that contradicts an earlier checkpoint, so rewritten
 * history stops checkpointing instead of being blessed. Signing runs outside the append
 * transactions, so it never lengthens the lock appends wait for.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/clock.ts';
import type { KeyRing } from '../../crypto/key-ring.ts';
import type { AuditLogCheckpointsTable, Database } from '../../db/schema.ts';
import { verifyConsistency } from '../../merkle/verify.ts';
import { AuditLogIntegrityError, readConsistencyProof, readHead, readRoot } from '../log/store.ts';
import { formatCheckpoint, parseCheckpoint } from '../../signed-note/checkpoint.ts';
import { auditLogKey, type AuditConfig, type LogKey } from './log-key.ts';
import { openNote, signNote } from '../../signed-note/signed-note.ts';

export interface CheckpointDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly config: AuditConfig;
}

export async function latestCheckpointRow(db: Kysely<Database>): Promise<AuditLogCheckpointsTable | undefined> {
  return db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

/** The body of a stored checkpoint after checking its signature and that it matches its row. */
export function openCheckpoint(row: AuditLogCheckpointsTable, key: Pick<LogKey, 'origin' | 'verifier'>): { size: number; root: Buffer } {
  const body = parseCheckpoint(openNote(row.note, key.verifier));
  if (body.origin !== key.origin || body.size !== row.tree_size || body.root.toString('hex') !== row.root_hash) {
    throw new AuditLogIntegrityError(`the checkpoint stored for size ${row.tree_size} does not match its signed note`);
  }
  return body;
}

function isDue(deps: CheckpointDeps, size: number, last: AuditLogCheckpointsTable | undefined): boolean {
  if (!last) return true;
  const { checkpointEveryEntries, checkpointEverySeconds } = deps.config.audit;
  return size - last.tree_size >= checkpointEveryEntries || deps.clock.now() - last.created_at >= checkpointEverySeconds * 1000;
}

/**
 * Signs and stores a checkpoint for the current tree when one is due (or whenever the log grew,
 * with `force`). Returns the new checkpoint row, or undefined when none was needed. Idempotent
 * across instances: two signers of the same size write the same note, and the second insert is
 * ignored.
 */
export async function checkpointIfDue(
  deps: CheckpointDeps,
  options: { force?: boolean } = {},
): Promise<AuditLogCheckpointsTable | undefined> {
  const head = await readHead(deps.db);
  const last = await latestCheckpointRow(deps.db);
  if (last && last.tree_size > head.size) {
    throw new AuditLogIntegrityError(`a checkpoint was signed for ${last.tree_size} entries but the log has only ${head.size}`);
  }
  if (head.size === 0 || head.size === last?.tree_size) return undefined;
  if (!options.force && !isDue(deps, head.size, last)) return undefined;

  const key = auditLogKey(deps.keyRing, deps.config);
  const root = await readRoot(deps.db, head.size);
  if (!root.equals(head.frontier.root())) throw new AuditLogIntegrityError('the audit log head does not match its stored subtrees');
  if (last) {
    const previous = openCheckpoint(last, key);
    const proof = await readConsistencyProof(deps.db, previous.size, head.size);
    if (!verifyConsistency(previous.size, head.size, previous.root, root, proof)) {
      throw new AuditLogIntegrityError(`refusing to sign: the log is not an extension of its checkpoint at size ${previous.size}`);
    }
  }
  const row: AuditLogCheckpointsTable = {
    tree_size: head.size,
    root_hash: root.toString('hex'),
    created_at: deps.clock.now(),
    note: signNote(formatCheckpoint({ origin: key.origin, size: head.size, root }), key.origin, key.signer),
  };
  await deps.db
    .insertInto('audit_log_checkpoints')
    .values(row)
    .onConflict((oc) => oc.column('tree_size').doNothing())
    .execute();
  return row;
}

export interface CheckpointSchedule {
  stop(): Promise<void>;
}

/** How often the schedule looks at the head: cheap (one row), and often enough for `checkpointEveryEntries`. */
const POLL_MS = 1000;

/**
 * Runs `checkpointIfDue` every second (or every `checkpointEverySeconds`, if shorter) until
 * stopped. Failures go to `onError` and the schedule keeps running: an integrity failure must be
 * loud, but it must not take the server down with it.
 */
export function scheduleCheckpoints(deps: CheckpointDeps, onError: (error: unknown) => void): CheckpointSchedule {
  let running: Promise<void> | undefined;
  const tick = (): void => {
    running ??= checkpointIfDue(deps)
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, Math.min(POLL_MS, deps.config.audit.checkpointEverySeconds * 1000));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
