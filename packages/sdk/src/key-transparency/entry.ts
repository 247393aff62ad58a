/**
 * @module key-transparency/entry
 *
 * The bytes of a key-log entry (version 1), written here from its documented layout
 * (docs/security/key-transparency.md), so a client recomputes a leaf without trusting any code
 * of the server's:
 *
 * ```
 * u8  version = 1
 * u64 index                       big-endian
 * u8  op                          1 add, 2 remove
 * u8  length ‖ account id         ASCII, 1–64 of A–Z a–z 0–9 _ -
 * u8  length ‖ device id          ASCII, same rules
 * u8  length ‖ signature key      32 bytes (Ed25519 public key)
 * u64 at                          big-endian, epoch milliseconds
 * ```
 *
 * The leaf hash is SHA-256(0x00 ‖ those bytes).
 */
import type { KeyLogEntry, KeyLogLeafInput, KeyLogOp } from '@portcullis/protocol';
import { decodeBase64url } from './bytes.ts';
import { KeyTransparencyError } from './errors.ts';
import { hashLeaf } from './merkle.ts';

const VERSION = 1;
const OPS: Readonly<Record<KeyLogOp, number>> = { add: 1, remove: 2 };
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_BYTES = 32;

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function invalid(message: string): KeyTransparencyError {
  return new KeyTransparencyError('ENTRY_INVALID', message);
}

/** The version-1 bytes of an entry whose key is given as bytes. Throws `ENTRY_INVALID` for a value outside the layout. */
export function encodeKeyLogEntry(entry: KeyLogLeafInput): Uint8Array {
  if (!isUint(entry.index) || !isUint(entry.at)) throw invalid('index and time must be whole non-negative numbers');
  if (!Object.hasOwn(OPS, entry.op)) throw invalid('op must be add or remove');
  if (!ID.test(entry.accountId) || !ID.test(entry.deviceId)) throw invalid('account and device ids must be 1-64 of A-Z a-z 0-9 _ -');
  if (!(entry.signatureKey instanceof Uint8Array) || entry.signatureKey.length !== KEY_BYTES)
    throw invalid('the signature key has 32 bytes');
  const ids = [entry.accountId, entry.deviceId];
  const bytes = new Uint8Array(1 + 8 + 1 + (1 + entry.accountId.length) + (1 + entry.deviceId.length) + 1 + KEY_BYTES + 8);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  const u64 = (value: number): void => {
    const high = Math.floor(value / 2 ** 32);
    view.setUint32(offset, high);
    view.setUint32(offset + 4, value - high * 2 ** 32);
    offset += 8;
  };
  bytes[offset++] = VERSION;
  u64(entry.index);
  bytes[offset++] = OPS[entry.op];
  for (const id of ids) {
    bytes[offset++] = id.length;
    for (let i = 0; i < id.length; i += 1) bytes[offset++] = id.charCodeAt(i);
  }
  bytes[offset++] = KEY_BYTES;
  bytes.set(entry.signatureKey, offset);
  offset += KEY_BYTES;
  u64(entry.at);
  return bytes;
}

/** The signature key of a published entry, as bytes. Throws `ENTRY_INVALID` unless it is 32 bytes of canonical base64url. */
export function entrySignatureKey(entry: Pick<KeyLogEntry, 'signatureKey'>): Uint8Array {
  const key = typeof entry.signatureKey === 'string' ? decodeBase64url(entry.signatureKey) : undefined;
  if (key?.length !== KEY_BYTES) throw invalid('the signature key is not 32 bytes of base64url');
  return key;
}

/** SHA-256(0x00 ‖ encoded entry): the Merkle leaf of a published entry, recomputed from its fields. */
export function keyLogLeafHash(entry: KeyLogEntry): Uint8Array {
  return hashLeaf(encodeKeyLogEntry({ ...entry, signatureKey: entrySignatureKey(entry) }));
}
