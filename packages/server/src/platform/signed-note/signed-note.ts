/**
 * @module platform/signed-note/signed-note
 *
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures: the text, a blank
 * line, then one line per signature, `— <key name> <base64(4-byte key ID ‖ signature)>`. The key
 * ID is SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], and a verifier key is published as
 * `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`. Parsing follows the spec's rules: valid
 * UTF-8, no control characters but newline, the text ends at the last blank line, signatures
 * from unknown keys are ignored, and one failing signature from the known key rejects the note.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { ed25519PublicKey, verifyEd25519, type Ed25519Signer } from './ed25519.ts';

/** Signature type byte for Ed25519 in the signed-note registry. */
const ED25519_TYPE = 0x01;
const KEY_ID_BYTES = 4;
const SIGNATURE_PREFIX = '\u2014 ';
/** The spec asks verifiers to accept at least 16 signatures; more than this is refused. */
const MAX_SIGNATURES = 100;

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: KeyObject;
  /** The published `<name>+<hex key ID>+<base64>` form. */
  readonly text: string;
}

export class SignedNoteError extends Error {
  override readonly name = 'SignedNoteError';
}

/** Control characters a note may not contain: everything below U+0020 except newline. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

function hasForbiddenControl(text: string): boolean {
  return FORBIDDEN_CONTROL.test(text);
}

/** Names are non-empty and contain no Unicode space, no plus sign and no control character. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasForbiddenControl(name);
}

export function noteKeyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update(Buffer.of(0x0a, ED25519_TYPE)).update(publicKey).digest().subarray(0, KEY_ID_BYTES);
}

export function noteVerifier(name: string, rawPublicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TypeError('a signed-note key name must be non-empty, without spaces or "+"');
  const keyId = noteKeyId(name, rawPublicKey);
  const encoded = Buffer.concat([Buffer.of(ED25519_TYPE), rawPublicKey]).toString('base64');
  return { name, keyId, publicKey: ed25519PublicKey(rawPublicKey), text: `${name}+${keyId.toString('hex')}+${encoded}` };
}

/** Parses a published verifier key; throws `SignedNoteError` for anything but an Ed25519 key whose ID matches. */
export function parseVerifierKey(text: string): NoteVerifier {
  // Names contain no "+", but base64 may: only the first two "+" separate fields.
  const match = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
  if (!match) throw new SignedNoteError('a verifier key has the form <name>+<8 hex digits>+<base64 key>');
  const [, name = '', hexId = '', encoded = ''] = match;
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 33 || key[0] !== ED25519_TYPE || key.toString('base64') !== encoded) {
    throw new SignedNoteError('the verifier key is not an Ed25519 key');
  }
  const verifier = noteVerifier(name, key.subarray(1));
  if (verifier.keyId.toString('hex') !== hexId) throw new SignedNoteError('the verifier key ID does not match its name and key');
  return verifier;
}

/** Signs `text` (which must end in a newline) and returns the complete note. */
export function signNote(text: string, name: string, signer: Ed25519Signer): string {
  if (text.length < 2 || !text.endsWith('\n') || hasForbiddenControl(text) || text.includes('\n\n') || text.startsWith('\n')) {
    throw new TypeError('note text must end in a newline and contain no blank lines or control characters');
  }
  const signature = Buffer.concat([noteKeyId(name, signer.publicKey), signer.sign(Buffer.from(text, 'utf8'))]);
  return `${text}\n${SIGNATURE_PREFIX}${name} ${signature.toString('base64')}\n`;
}

interface SignatureLine {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

function parseSignatureLine(line: string): SignatureLine {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new SignedNoteError('malformed signature line');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.lastIndexOf(' ');
  const name = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  const bytes = Buffer.from(encoded, 'base64');
  if (space <= 0 || !isValidKeyName(name) || bytes.length <= KEY_ID_BYTES || bytes.toString('base64') !== encoded) {
    throw new SignedNoteError('malformed signature line');
  }
  return { name, keyId: bytes.subarray(0, KEY_ID_BYTES), signature: bytes.subarray(KEY_ID_BYTES) };
}

/**
 * Verifies `note` with `verifier` and returns its text. Throws `SignedNoteError` when the note
 * is malformed, has no signature from the verifier's key, or that signature does not verify.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  if (Buffer.from(note, 'utf8').toString('utf8') !== note || hasForbiddenControl(note)) {
    throw new SignedNoteError('a note must be UTF-8 without control characters other than newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new SignedNoteError('a note needs a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new SignedNoteError('too many signatures');
  let verified = false;
  for (const signature of lines.map(parseSignatureLine)) {
    // Signatures from other keys (a witness, a rotated key) are ignored, as the spec requires.
    if (signature.name !== verifier.name || !signature.keyId.equals(verifier.keyId)) continue;
    if (!verifyEd25519(verifier.publicKey, Buffer.from(text, 'utf8'), signature.signature)) {
      throw new SignedNoteError(`the signature by ${verifier.name} does not verify`);
    }
    verified = true;
  }
  if (!verified) throw new SignedNoteError(`the note has no signature by ${verifier.name}+${verifier.keyId.toString('hex')}`);
  return text;
}
