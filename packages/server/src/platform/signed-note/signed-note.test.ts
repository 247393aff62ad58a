/**
 * C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints (c2sp.org/tlog-checkpoint): the
 * published example verifier key and note verify as published; notes this code signs open with
 * its verifier key; malformed notes, wrong keys and altered text are refused, and signatures from
 * unknown keys are ignored as the spec requires.
 */
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { ed25519SignerFromSeed } from './ed25519.ts';
import { noteKeyId, noteVerifier, openNote, parseVerifierKey, signNote, SignedNoteError } from './signed-note.ts';

/** The example of the Go reference implementation (golang.org/x/mod/sumdb/note), also quoted by the C2SP spec's implementations. */
const EXAMPLE_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const EXAMPLE_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const seed = Buffer.alloc(32, 7);
const signer = ed25519SignerFromSeed(seed);
const NAME = 'auth.example.com/audit';

describe('C2SP signed note', () => {
  it('verifies the published example note with the published verifier key', () => {
    const verifier = parseVerifierKey(EXAMPLE_VKEY);
    expect(verifier.name).toBe('example.com/foo');
    expect(verifier.keyId.toString('hex')).toBe('530d903a');
    expect(verifier.text).toBe(EXAMPLE_VKEY);
    expect(openNote(EXAMPLE_NOTE, verifier)).toBe('This is an example message.\n');
  });

  it('computes the key ID as SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]', () => {
    const raw = Buffer.from('AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k', 'base64').subarray(1);
    expect(noteKeyId('example.com/foo', raw).toString('hex')).toBe('530d903a');
  });

  it('parses verifier keys whose base64 contains "+"', () => {
    const texts = Array.from({ length: 64 }, (_, n) => noteVerifier(NAME, ed25519SignerFromSeed(Buffer.alloc(32, n)).publicKey).text);
    expect(texts.filter((text) => text.split('+').length > 3).length).toBeGreaterThan(0);
    for (const text of texts) expect(parseVerifierKey(text).text).toBe(text);
  });

  it('signs a note that opens with its own verifier key, deterministically', () => {
    const verifier = noteVerifier(NAME, signer.publicKey);
    const note = signNote('hello\n', NAME, signer);
    expect(note).toMatch(/^hello\n\n— auth\.example\.com\/audit [A-Za-z0-9+/]+=*\n$/);
    expect(signNote('hello\n', NAME, signer)).toBe(note);
    expect(openNote(note, verifier)).toBe('hello\n');
    expect(parseVerifierKey(verifier.text).keyId.equals(verifier.keyId)).toBe(true);
    expect(verifier.text).toMatch(/^auth\.example\.com\/audit\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  });

  it('refuses altered text, a wrong key, and a note without a signature by the key', () => {
    const verifier = noteVerifier(NAME, signer.publicKey);
    const note = signNote('size 5\n', NAME, signer);
    expect(() => openNote(note.replace('size 5', 'size 6'), verifier)).toThrow(/does not verify/);
    const other = noteVerifier(NAME, ed25519SignerFromSeed(Buffer.alloc(32, 8)).publicKey);
    expect(() => openNote(note, other)).toThrow(/no signature by/);
    expect(() => openNote(EXAMPLE_NOTE, verifier)).toThrow(/no signature by/);
  });

  it('ignores signatures from unknown keys next to a valid one', () => {
    const verifier = noteVerifier(NAME, signer.publicKey);
    const note = signNote('text\n', NAME, signer);
    const witness = `— witness.example/w ${Buffer.alloc(68, 1).toString('base64')}\n`;
    expect(openNote(note + witness, verifier)).toBe('text\n');
  });

  it('refuses malformed notes and keys', () => {
    const verifier = noteVerifier(NAME, signer.publicKey);
    const note = signNote('text\n', NAME, signer);
    expect(() => openNote(note.replace('\n\n', '\n'), verifier)).toThrow(SignedNoteError);
    expect(() => openNote(note.replace('—', '-'), verifier)).toThrow(SignedNoteError);
    expect(() => openNote(note.replace('text', 'te\u0007xt'), verifier)).toThrow(SignedNoteError);
    expect(() => openNote(note.slice(0, -1), verifier)).toThrow(SignedNoteError);
    expect(() => parseVerifierKey('example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toThrow(/does not match/);
    expect(() => parseVerifierKey('example.com/foo+530d903a')).toThrow(SignedNoteError);
    expect(() => noteVerifier('has space', signer.publicKey)).toThrow(TypeError);
    expect(() => noteVerifier('has+plus', signer.publicKey)).toThrow(TypeError);
    expect(() => signNote('no newline', NAME, signer)).toThrow(TypeError);
    expect(() => signNote('blank\n\nline\n', NAME, signer)).toThrow(TypeError);
  });
});

describe('C2SP tlog checkpoint', () => {
  it('formats origin, size and base64 root on three lines and parses them back', () => {
    const root = Buffer.alloc(32, 0xab);
    const text = formatCheckpoint({ origin: NAME, size: 20852163, root });
    expect(text).toBe(`${NAME}\n20852163\n${root.toString('base64')}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: NAME, size: 20852163, root });
    expect(parseCheckpoint(`${text}extension line\n`).size).toBe(20852163);
  });

  it('parses the body of the example checkpoint in the spec', () => {
    const body = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(body.origin).toBe('example.com/behind-the-sofa');
    expect(body.size).toBe(20852163);
  });

  it('refuses leading zeros, short roots, missing lines and empty extension lines', () => {
    const root = Buffer.alloc(32).toString('base64');
    for (const text of [`o\n01\n${root}\n`, 'o\n1\nAAAA\n', 'o\n1\n', `o\n1\n${root}`, `o\n1\n${root}\n\n`, `o\n-1\n${root}\n`]) {
      expect(() => parseCheckpoint(text), JSON.stringify(text)).toThrow();
    }
    expect(() => formatCheckpoint({ origin: 'a b', size: 1, root: Buffer.alloc(32) })).toThrow(TypeError);
  });
});
