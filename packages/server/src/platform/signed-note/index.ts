/**
 * @module platform/signed-note
 *
 * C2SP signed notes with Ed25519 (https://c2sp.org/signed-note) and the transparency-log
 * checkpoint body they carry (https://c2sp.org/tlog-checkpoint), shared by the audit log and the
 * key transparency log. Each log has its own origin line and its own key-ring seed.
 */
export { CheckpointFormatError, formatCheckpoint, parseCheckpoint } from './checkpoint.ts';
export type { CheckpointBody } from './checkpoint.ts';
export { ed25519PublicKey, ed25519SignerFromSeed, verifyEd25519 } from './ed25519.ts';
export type { Ed25519Signer } from './ed25519.ts';
export { isValidKeyName, noteKeyId, noteVerifier, openNote, parseVerifierKey, signNote, SignedNoteError } from './signed-note.ts';
export type { NoteVerifier } from './signed-note.ts';
