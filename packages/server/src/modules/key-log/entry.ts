/**
 * @module modules/key-log/entry
 *
 * A key-log entry between its stored row, its published form and its Merkle leaf. The leaf is
 * SHA-256(0x00 ‖ `encodeKeyLogEntry(entry)`), the version-1 encoding defined once in the wire
 * contract (@portcullis/protocol `key-log.ts`), so the server that appends and the clients that
 * check proofs hash exactly the same bytes. Changing the encoding changes every leaf hash: a new
 * format needs a new version, never an edit.
 */
import { encodeKeyLogEntry, type KeyLogEntry, type KeyLogOp } from '@portcullis/protocol';
import type { KeyLogEntriesTable } from '../../platform/db/schema.ts';
import { hashLeaf } from '../../platform/merkle/index.ts';

/** What a caller appends; the log adds the index and the time. */
export interface KeyLogAppend {
  readonly op: KeyLogOp;
  readonly accountId: string;
  readonly deviceId: string;
  /** The device's Ed25519 signature public key, 32 bytes. */
  readonly signatureKey: Uint8Array;
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** SHA-256(0x00 ‖ encoded entry). Throws `TypeError` for a value the encoding refuses. */
export function keyLogLeafHash(entry: KeyLogAppend & { readonly index: number; readonly at: number }): Buffer {
  return hashLeaf(encodeKeyLogEntry(entry));
}

export function entryFromRow(row: KeyLogEntriesTable): KeyLogEntry {
  return {
    index: row.log_index,
    op: row.op,
    accountId: row.account_id,
    deviceId: row.device_id,
    signatureKey: row.signature_key,
    at: row.at,
  };
}

/** The leaf hash of a stored row, recomputed from its columns (not the stored `leaf_hash`). */
export function leafHashOfRow(row: KeyLogEntriesTable): Buffer {
  return keyLogLeafHash({
    index: row.log_index,
    op: row.op,
    accountId: row.account_id,
    deviceId: row.device_id,
    signatureKey: Buffer.from(row.signature_key, 'base64url'),
    at: row.at,
  });
}
