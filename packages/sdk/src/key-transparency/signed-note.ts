/**
 * @module key-transparency/signed-note
 *
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519, and the transparency-log
 * checkpoint they carry (https://c2sp.org/tlog-checkpoint), checked against a verifier key the
 * app pins (`<name>+<hex key ID>+<base64(0x01 ‖ public key)>`). The key ID is
 * SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]; signatures by other keys (witnesses, a rotated
 * key) are ignored, and one failing signature by the pinned key rejects the note. Signatures are
 * checked with the platform's WebCrypto Ed25519 (RFC 8032; browsers since 2025, Node 22, React
 * Native with a WebCrypto implementation installed), so the SDK ships no curve code of its own.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { subtleCrypto } from '../lib/webcrypto.ts';
import { concatBytes, decodeBase64, encodeBase64, equalBytes, utf8Encode } from './bytes.ts';
import { KeyTransparencyError } from './errors.ts';
import { HASH_BYTES } from './merkle.ts';

const ED25519_TYPE = 0x01;
const KEY_ID_BYTES = 4;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
/** With the `u` flag a surrogate range matches only unpaired surrogates: text that is not valid UTF-8. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** A pinned log key, parsed. */
export interface LogVerifierKey {
  /** The key name, which is also the log's origin line. */
  readonly name: string;
  readonly keyId: Uint8Array;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The published form it was parsed from. */
  readonly text: string;
}

/** A checkpoint whose signature by the pinned key was checked. */
export interface VerifiedCheckpoint {
  readonly origin: string;
  readonly size: number;
  /** MTH of the first `size` entries. */
  readonly root: Uint8Array;
  /** The signed note, as received. */
  readonly note: string;
}

function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !FORBIDDEN_CONTROL.test(name);
}

function keyIdOf(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a, ED25519_TYPE), publicKey)).subarray(0, KEY_ID_BYTES);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Parses a published verifier key. Throws `VERIFIER_KEY_INVALID` for anything but an Ed25519 key whose key ID matches. */
export function parseVerifierKey(text: string): LogVerifierKey {
  const invalid = (why: string) => new KeyTransparencyError('VERIFIER_KEY_INVALID', why);
  // Names contain no "+", but base64 may: only the first two "+" separate fields.
  const match = typeof text === 'string' ? /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text) : null;
  if (!match) throw invalid('a verifier key has the form <name>+<8 hex digits>+<base64 key>');
  const [, name = '', hexId = '', encoded = ''] = match;
  const key = decodeBase64(encoded);
  if (!isKeyName(name)) throw invalid('the verifier key name is not a valid key name');
  if (key?.length !== 33 || key[0] !== ED25519_TYPE) throw invalid('the verifier key is not an Ed25519 key');
  const publicKey = key.slice(1);
  const keyId = keyIdOf(name, publicKey);
  if (hex(keyId) !== hexId) throw invalid('the verifier key ID does not match its name and key');
  return { name, keyId, publicKey, text };
}

/**
 * RFC 8032 Ed25519 verification by the platform. A key or signature the platform cannot even
 * parse is a failed verification; a platform without Ed25519 throws its own error (that is no
 * verdict on the note).
 */
async function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const subtle = subtleCrypto();
  let key: CryptoKey;
  try {
    key = await subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    if (error instanceof Error && error.name === 'NotSupportedError') throw error;
    return false;
  }
  try {
    return await subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message));
  } catch {
    return false;
  }
}

/**
 * Verifies `note` with `verifier` and returns its text. Throws `CHECKPOINT_MALFORMED` for a
 * malformed note and `CHECKPOINT_SIGNATURE_INVALID` when the pinned key's signature is missing or
 * does not verify.
 */
export async function openSignedNote(note: string, verifier: LogVerifierKey): Promise<string> {
  const malformed = (why: string) => new KeyTransparencyError('CHECKPOINT_MALFORMED', why);
  if (typeof note !== 'string' || LONE_SURROGATE.test(note) || FORBIDDEN_CONTROL.test(note)) {
    throw malformed('a note is UTF-8 text without control characters other than newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw malformed('a note needs a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('too many signatures');
  const message = utf8Encode(text);
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('malformed signature line');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    const name = rest.slice(0, space);
    const bytes = decodeBase64(rest.slice(space + 1));
    if (space <= 0 || !isKeyName(name) || bytes === undefined || bytes.length <= KEY_ID_BYTES) throw malformed('malformed signature line');
    // Signatures by other keys are ignored, as the spec requires.
    if (name !== verifier.name || !equalBytes(bytes.subarray(0, KEY_ID_BYTES), verifier.keyId)) continue;
    if (!(await verifyEd25519(verifier.publicKey, message, bytes.slice(KEY_ID_BYTES))))
      throw new KeyTransparencyError('CHECKPOINT_SIGNATURE_INVALID', `the signature by ${verifier.name} does not verify`);
    verified = true;
  }
  if (!verified) throw new KeyTransparencyError('CHECKPOINT_SIGNATURE_INVALID', `the note has no signature by ${verifier.name}`);
  return text;
}

/** The body of a C2SP tlog checkpoint: origin, decimal size without leading zeros, base64 root; extension lines ignored. */
export function parseCheckpointBody(text: string): { origin: string; size: number; root: Uint8Array } {
  const malformed = (why: string) => new KeyTransparencyError('CHECKPOINT_MALFORMED', why);
  const lines = text.split('\n');
  if (lines.length < 4 || lines.pop() !== '' || lines.some((line) => line === '')) {
    throw malformed('a checkpoint has at least three non-empty lines, each ending in a newline');
  }
  const [origin, size, root] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw malformed('the tree size is not a decimal number');
  const rootBytes = decodeBase64(root);
  if (rootBytes?.length !== HASH_BYTES) throw malformed('the root is not a base64 SHA-256 hash');
  return { origin, size: Number(size), root: rootBytes };
}

/**
 * Checks a checkpoint note against the pinned verifier key (or its published text) and returns
 * what it signed. Throws {@link KeyTransparencyError}: `CHECKPOINT_MALFORMED`,
 * `CHECKPOINT_SIGNATURE_INVALID`, or `CHECKPOINT_ORIGIN_MISMATCH` when it names another log.
 */
export async function verifyCheckpoint(note: string, verifier: LogVerifierKey | string): Promise<VerifiedCheckpoint> {
  const key = typeof verifier === 'string' ? parseVerifierKey(verifier) : verifier;
  const body = parseCheckpointBody(await openSignedNote(note, key));
  if (body.origin !== key.name) {
    throw new KeyTransparencyError('CHECKPOINT_ORIGIN_MISMATCH', `the checkpoint is for ${body.origin}, not ${key.name}`);
  }
  return { ...body, note };
}

/** The checkpoint body text for `origin`, `size`, `root`, as signed (for tests and tools that build notes). */
export function formatCheckpointBody(origin: string, size: number, root: Uint8Array): string {
  return `${origin}\n${size}\n${encodeBase64(root)}\n`;
}
