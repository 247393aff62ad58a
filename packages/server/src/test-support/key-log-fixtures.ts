/**
 * @module test-support/key-log-fixtures
 *
 * Key transparency log rows for route tests: appends sample device keys (through the log's own
 * append, in a transaction) until the log holds at least the entries a request needs.
 */
import type { App } from '../app.ts';
import { appendKeyLogEntry } from '../modules/key-log/index.ts';
import { withTransaction } from '../platform/db/index.ts';

/** Appends `add` entries of fresh devices of `accountId` until the key log has `size` entries. */
export async function ensureKeyLogSize(app: App, size: number, accountId = '00000000-0000-4000-8000-00000000c0de'): Promise<void> {
  const db = app.portcullis.database.db;
  for (;;) {
    const head = await db.selectFrom('key_log_head').select('tree_size').executeTakeFirstOrThrow();
    if (head.tree_size >= size) return;
    const n = head.tree_size;
    const signatureKey = Uint8Array.from({ length: 32 }, (_, i) => (n + i * 13) % 256);
    await withTransaction(db, (tx) =>
      appendKeyLogEntry(tx, { op: 'add', accountId, deviceId: `dev_fixture_${n}`, signatureKey }, app.portcullis.clock),
    );
  }
}

/** Appends one `add` entry of a fresh device of `accountId`; returns its index. */
export async function appendKeyLogFixture(app: App, accountId: string): Promise<number> {
  const db = app.portcullis.database.db;
  const signatureKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + accountId.length) % 256);
  const deviceId = `dev_fixture_${Math.random().toString(36).slice(2, 12)}`;
  const { index } = await withTransaction(db, (tx) =>
    appendKeyLogEntry(tx, { op: 'add', accountId, deviceId, signatureKey }, app.portcullis.clock),
  );
  return index;
}
