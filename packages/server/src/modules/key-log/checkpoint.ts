/**
 * @module modules/key-log/checkpoint
 *
 * The key log's identity and its signed tree heads. The origin (first checkpoint line and
 * signed-note key name) is `<host of publicUrl>/portcullis/key-log`; the Ed25519 key is the key
 * ring's `key-log-signing` seed, its own key so the audit log's can be rotated without touching
 * the key that every client pins. Checkpoints are C2SP signed notes, like the audit log's.
 *
 * A checkpoint is signed when one is asked for and the log grew since the last one (key-log
 * appends are rare: one per device added or removed), so a client always gets a tree head that
 * covers every committed entry. Before signing, the new head is proven consistent (RFC 9162) with
 * the last signed one, whose signature is checked first: the log never signs a tree that
 * contradicts an earlier checkpoint. Two instances signing the same size write the same note
 * (Ed25519 is deterministic), and the second insert is ignored.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database, KeyLogCheckpointsTable } from '../../platform/db/schema.ts';
import { verifyConsistency } from '../../platform/merkle/index.ts';
import {
  ed25519SignerFromSeed,
  formatCheckpoint,
  noteVerifier,
  openNote,
  parseCheckpoint,
  signNote,
  type Ed25519Signer,
  type NoteVerifier,
} from '../../platform/signed-note/index.ts';
import { KeyLogIntegrityError, readConsistencyProof, readHead, readRoot } from './store.ts';

export type KeyLogConfig = Pick<Config, 'publicUrl'>;

export interface KeyLogDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly config: KeyLogConfig;
}

export interface KeyLogKey {
  readonly origin: string;
  readonly signer: Ed25519Signer;
  readonly verifier: NoteVerifier;
}

/** `<host of publicUrl>/portcullis/key-log`. */
export function keyLogOrigin(config: KeyLogConfig): string {
  return `${new URL(config.publicUrl).host}/portcullis/key-log`;
}

export function keyLogKey(keyRing: KeyRing, config: KeyLogConfig): KeyLogKey {
  const origin = keyLogOrigin(config);
  const signer = ed25519SignerFromSeed(keyRing.key('key-log-signing'));
  return { origin, signer, verifier: noteVerifier(origin, signer.publicKey) };
}

export function latestCheckpointRow(db: Kysely<Database>): Promise<KeyLogCheckpointsTable | undefined> {
  return db.selectFrom('key_log_checkpoints').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

/** The body of a stored checkpoint after checking its signature and that it matches its row. */
export function openCheckpoint(row: KeyLogCheckpointsTable, key: Pick<KeyLogKey, 'origin' | 'verifier'>): { size: number; root: Buffer } {
  const body = parseCheckpoint(openNote(row.note, key.verifier));
  if (body.origin !== key.origin || body.size !== row.tree_size || body.root.toString('hex') !== row.root_hash) {
    throw new KeyLogIntegrityError(`the key log checkpoint stored for size ${row.tree_size} does not match its signed note`);
  }
  return body;
}

/**
 * The checkpoint for the current tree: the stored one when the log has not grown since, else a
 * newly signed one (also for the empty log, whose root is SHA-256 of nothing).
 */
export async function currentCheckpoint(deps: KeyLogDeps): Promise<KeyLogCheckpointsTable> {
  const head = await readHead(deps.db);
  const last = await latestCheckpointRow(deps.db);
  if (last && last.tree_size > head.size) {
    throw new KeyLogIntegrityError(`a key log checkpoint was signed for ${last.tree_size} entries but the log has only ${head.size}`);
  }
  if (last && last.tree_size === head.size) return last;
  const key = keyLogKey(deps.keyRing, deps.config);
  const root = await readRoot(deps.db, head.size);
  if (!root.equals(head.frontier.root())) throw new KeyLogIntegrityError('the key log head does not match its stored subtrees');
  if (last) {
    const previous = openCheckpoint(last, key);
    if (previous.size > 0) {
      const proof = await readConsistencyProof(deps.db, previous.size, head.size);
      if (!verifyConsistency(previous.size, head.size, previous.root, root, proof)) {
        throw new KeyLogIntegrityError(`refusing to sign: the key log is not an extension of its checkpoint at size ${previous.size}`);
      }
    }
  }
  const row: KeyLogCheckpointsTable = {
    tree_size: head.size,
    root_hash: root.toString('hex'),
    created_at: deps.clock.now(),
    note: signNote(formatCheckpoint({ origin: key.origin, size: head.size, root }), key.origin, key.signer),
  };
  await deps.db
    .insertInto('key_log_checkpoints')
    .values(row)
    .onConflict((oc) => oc.column('tree_size').doNothing())
    .execute();
  return row;
}
