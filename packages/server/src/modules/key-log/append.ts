/**
 * @module modules/key-log/append
 *
 * Appends one entry to the key log inside the caller's transaction, the way the audit log does:
 * the first statement increments the head row's size (`UPDATE … RETURNING`), which on
 * PostgreSQL holds that row's lock until the caller commits and on SQLite takes the database
 * write lock, so concurrent appends get consecutive indexes with no gap and no duplicate. A
 * rollback anywhere in the caller's transaction undoes the entry, its nodes and the head
 * together, so the stored tree always matches the last committed entry.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import { systemClock } from '../../platform/clock/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { formatFrontier, parseFrontier } from '../../platform/merkle/index.ts';
import { base64url, keyLogLeafHash, type KeyLogAppend } from './entry.ts';
import { HEAD_ID, KeyLogMissingError } from './store.ts';

/**
 * Appends `entry` as the next key-log entry and returns its index. `tx` must be the transaction
 * of the change the entry records (a device registered, removed, or its session ended): both
 * commit or neither does. The log stays locked until that transaction ends, so append late in it;
 * when the same transaction also writes audit events, append to the key log first (one lock
 * order everywhere: key log, then audit log). Throws `TypeError` for an id or key the entry
 * encoding refuses (see @portcullis/protocol `encodeKeyLogEntry`), before touching the log.
 *
 * @example
 * await withTransaction(db, async (tx) => {
 *   await registerDevice(tx, device);
 *   const { index } = await appendKeyLogEntry(tx, { op: 'add', accountId, deviceId, signatureKey });
 *   await context.audit('…', { subject: accountId }, tx);
 * });
 */
export async function appendKeyLogEntry(tx: Kysely<Database>, entry: KeyLogAppend, clock: Clock = systemClock): Promise<{ index: number }> {
  if (!tx.isTransaction) throw new TypeError('appendKeyLogEntry needs the caller’s transaction');
  const at = clock.now();
  // Validates every field (throws TypeError) before the head is locked.
  keyLogLeafHash({ ...entry, index: 0, at });
  const head = await tx
    .updateTable('key_log_head')
    .set((eb) => ({ tree_size: eb('tree_size', '+', 1) }))
    .where('id', '=', HEAD_ID)
    .returning(['tree_size', 'frontier'])
    .executeTakeFirst();
  if (!head) throw new KeyLogMissingError();
  const index = head.tree_size - 1;
  const leaf = keyLogLeafHash({ ...entry, index, at });
  const frontier = parseFrontier(index, head.frontier);
  const completed = frontier.append(leaf);
  await tx
    .insertInto('key_log_entries')
    .values({
      log_index: index,
      op: entry.op,
      account_id: entry.accountId,
      device_id: entry.deviceId,
      signature_key: base64url(entry.signatureKey),
      at,
      leaf_hash: leaf.toString('hex'),
    })
    .execute();
  await tx
    .insertInto('key_log_nodes')
    .values(completed.map((node) => ({ level: node.level, idx: node.index, hash: node.hash.toString('hex') })))
    .execute();
  await tx
    .updateTable('key_log_head')
    .set({ frontier: formatFrontier(frontier) })
    .where('id', '=', HEAD_ID)
    .execute();
  return { index };
}
