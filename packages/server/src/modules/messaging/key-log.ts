/**
 * @module modules/messaging/key-log
 *
 * The port through which the authentication service appends to the key transparency log: every
 * add and removal of a device credential becomes an entry in the caller's transaction, so a
 * credential no client can find in the log is never handed out. The application wires the log's
 * implementation in (app.ts); this module never reaches for it by itself.
 */
import type { Tx } from '../../platform/db/index.ts';

export interface KeyLogEntryInput {
  readonly op: 'add' | 'remove';
  readonly accountId: string;
  readonly deviceId: string;
  /** The device's Ed25519 public signature key, base64url. */
  readonly signatureKey: string;
}

export interface KeyLogAppender {
  /** Appends one entry inside `tx` (it commits or rolls back with the caller's change) and returns its index. */
  append(tx: Tx, entry: KeyLogEntryInput): Promise<{ index: number }>;
}
