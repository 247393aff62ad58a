/**
 * @module key-log
 *
 * The key transparency log on the wire: its signed checkpoint, one entry with its RFC 9162
 * inclusion proof, and consistency proofs between tree sizes; and the one encoding of an entry
 * that both the server (when it appends) and every client (when it checks a proof) hash into a
 * Merkle leaf. Bytes are base64url without padding; the checkpoint note keeps the standard base64
 * its C2SP format prescribes. Numbers in paths and query strings are decimal digit strings.
 */
import Type, { type Static } from 'typebox';

/** Account and device ids as the log records them: 1–64 characters of `A–Z a–z 0–9 _ -` (no `:`, so `account:device` is unambiguous). */
export const KEY_LOG_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const ID_REGEX = new RegExp(KEY_LOG_ID_PATTERN);

/** A device's Ed25519 signature public key: 32 bytes. */
export const KEY_LOG_SIGNATURE_KEY_BYTES = 32;

/** The first byte of every encoded entry. A new encoding gets a new version, never an edit of this one. */
export const KEY_LOG_ENTRY_VERSION = 1;

/** Operation codes in the encoded entry. */
export const KEY_LOG_OPS = { add: 1, remove: 2 } as const;
export type KeyLogOp = keyof typeof KEY_LOG_OPS;

/** An entry with its key as bytes: what `encodeKeyLogEntry` encodes. */
export interface KeyLogLeafInput {
  readonly index: number;
  readonly op: KeyLogOp;
  readonly accountId: string;
  readonly deviceId: string;
  readonly signatureKey: Uint8Array;
  /** When the entry was appended, epoch milliseconds. */
  readonly at: number;
}

function isUint(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function putUint64(bytes: Uint8Array, offset: number, value: number): void {
  // Safe integers fit in 53 bits: the high word is at most 2^21 - 1.
  const high = Math.floor(value / 2 ** 32);
  const low = value - high * 2 ** 32;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(offset, high);
  view.setUint32(offset + 4, low);
}

/**
 * The bytes of one key-log entry (version 1); the Merkle leaf is SHA-256(0x00 ‖ these bytes).
 *
 * ```
 * u8  version = 1
 * u64 index                       big-endian
 * u8  op                          1 add, 2 remove
 * u8  length ‖ account id         ASCII
 * u8  length ‖ device id          ASCII
 * u8  length ‖ signature key      32 bytes (Ed25519 public key)
 * u64 at                          big-endian, epoch milliseconds
 * ```
 *
 * One entry has exactly one encoding and no two entries share one (every variable field is
 * length-prefixed). Throws `TypeError` for a value outside these rules.
 */
export function encodeKeyLogEntry(entry: KeyLogLeafInput): Uint8Array {
  if (!isUint(entry.index)) throw new TypeError('a key-log index is a whole number');
  if (!isUint(entry.at)) throw new TypeError('a key-log time is whole epoch milliseconds');
  if (!Object.hasOwn(KEY_LOG_OPS, entry.op)) throw new TypeError('a key-log op is add or remove');
  if (!ID_REGEX.test(entry.accountId) || !ID_REGEX.test(entry.deviceId)) {
    throw new TypeError('key-log account and device ids are 1-64 characters of A-Z a-z 0-9 _ -');
  }
  if (!(entry.signatureKey instanceof Uint8Array) || entry.signatureKey.length !== KEY_LOG_SIGNATURE_KEY_BYTES) {
    throw new TypeError(`a key-log signature key has ${KEY_LOG_SIGNATURE_KEY_BYTES} bytes`);
  }
  const account = entry.accountId;
  const device = entry.deviceId;
  const key = entry.signatureKey;
  const bytes = new Uint8Array(1 + 8 + 1 + 1 + account.length + 1 + device.length + 1 + key.length + 8);
  let offset = 0;
  bytes[offset++] = KEY_LOG_ENTRY_VERSION;
  putUint64(bytes, offset, entry.index);
  offset += 8;
  bytes[offset++] = KEY_LOG_OPS[entry.op];
  for (const text of [account, device]) {
    bytes[offset++] = text.length;
    // ASCII only (checked above): one byte per character.
    for (let i = 0; i < text.length; i += 1) bytes[offset++] = text.charCodeAt(i);
  }
  bytes[offset++] = key.length;
  bytes.set(key, offset);
  offset += key.length;
  putUint64(bytes, offset, entry.at);
  return bytes;
}

const CountText = (description: string) => Type.String({ pattern: '^[0-9]{1,15}$', description });
const HashText = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description });

export const KeyLogEntrySchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: 'Position in the log (the Merkle leaf index).' }),
    op: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
    accountId: Type.String({ pattern: KEY_LOG_ID_PATTERN }),
    deviceId: Type.String({ pattern: KEY_LOG_ID_PATTERN }),
    signatureKey: HashText('The device’s Ed25519 signature public key (32 bytes), base64url.'),
    at: Type.Integer({ minimum: 0, description: 'When the entry was appended, epoch milliseconds (part of the leaf).' }),
  },
  { additionalProperties: false },
);
export type KeyLogEntry = Static<typeof KeyLogEntrySchema>;

export const KeyLogCheckpointSchema = Type.Object(
  {
    treeSize: Type.Integer({ minimum: 0 }),
    rootHash: HashText('SHA-256 root of the tree of `treeSize` entries, base64url (the note holds it in standard base64).'),
    note: Type.String({ description: 'The C2SP signed note (tlog-checkpoint). Clients verify it with the pinned verifier key.' }),
    verifierKey: Type.String({
      description: 'The note verifier key (`<origin>+<key id>+<base64 key>`); clients pin it, never take it from here.',
    }),
  },
  { additionalProperties: false },
);
export type KeyLogCheckpoint = Static<typeof KeyLogCheckpointSchema>;

export const KeyLogEntryParamsSchema = Type.Object({ index: CountText('Index of the entry.') }, { additionalProperties: false });
export type KeyLogEntryParams = Static<typeof KeyLogEntryParamsSchema>;

export const KeyLogEntryQuerySchema = Type.Object(
  { treeSize: CountText('Size of the tree the proof is for (from a signed checkpoint).') },
  { additionalProperties: false },
);
export type KeyLogEntryQuery = Static<typeof KeyLogEntryQuerySchema>;

export const KeyLogInclusionProofSchema = Type.Object(
  {
    leafIndex: Type.Integer({ minimum: 0 }),
    treeSize: Type.Integer({ minimum: 1 }),
    proof: Type.Immutable(Type.Array(HashText('A node hash'), { description: 'RFC 9162 §2.1.3.1 audit path, bottom-up, base64url.' })),
  },
  { additionalProperties: false },
);
export type KeyLogInclusionProof = Static<typeof KeyLogInclusionProofSchema>;

export const KeyLogEntryWithProofSchema = Type.Object(
  { entry: KeyLogEntrySchema, inclusionProof: KeyLogInclusionProofSchema },
  { additionalProperties: false },
);
export type KeyLogEntryWithProof = Static<typeof KeyLogEntryWithProofSchema>;

export const KeyLogConsistencyQuerySchema = Type.Object(
  { from: CountText('Size of the older tree (a checkpoint).'), to: CountText('Size of the newer tree (a checkpoint).') },
  { additionalProperties: false },
);
export type KeyLogConsistencyQuery = Static<typeof KeyLogConsistencyQuerySchema>;

export const KeyLogConsistencyProofSchema = Type.Object(
  {
    fromSize: Type.Integer({ minimum: 1 }),
    toSize: Type.Integer({ minimum: 1 }),
    proof: Type.Immutable(Type.Array(HashText('A node hash'), { description: 'RFC 9162 §2.1.4.1 consistency path, base64url.' })),
  },
  { additionalProperties: false },
);
export type KeyLogConsistencyProof = Static<typeof KeyLogConsistencyProofSchema>;
