/**
 * @module messaging/safety-number
 *
 * Safety numbers: the 60-digit "displayable fingerprint" of Signal's NumericFingerprintGenerator,
 * so two people can compare, in person or over a call, that the keys their apps encrypt to are
 * each other's and not a server's. Each side hashes its stable id and key 5200 times with
 * SHA-512 (the first round over version ‖ key ‖ id ‖ key, each next round over the previous
 * hash ‖ key), takes 30 digits from the first 30 bytes (six 5-byte big-endian chunks, each
 * mod 100000, zero-padded to 5 digits), and the two halves are joined in sorted order so both
 * people see the same number.
 *
 * Portcullis people have several devices, each with its own Ed25519 credential key, so a
 * person's "key" is the concatenation of their device keys in ascending byte order, and the
 * stable id is the UTF-8 of the account id. Adding, removing or replacing a device changes the
 * number.
 */
import { sha512 } from '@noble/hashes/sha2.js';

/** Hash rounds per side (Signal's value). */
export const SAFETY_NUMBER_ITERATIONS = 5200;

/** Version of the fingerprint hash input (two bytes, big-endian); Signal's current value. */
const FINGERPRINT_VERSION = new Uint8Array([0, 0]);

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The 30-digit half of one side. */
function fingerprintDigits(stableId: Uint8Array, key: Uint8Array, iterations: number): string {
  let hash = sha512(concat(FINGERPRINT_VERSION, key, stableId, key));
  for (let i = 1; i < iterations; i++) hash = sha512(concat(hash, key));
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + (hash[chunk * 5 + i] ?? 0);
    digits += String(value % 100_000).padStart(5, '0');
  }
  return digits;
}

/** One side of a safety number: a stable id and its key bytes. */
export interface FingerprintSide {
  readonly stableId: Uint8Array;
  readonly key: Uint8Array;
}

/**
 * Signal's displayable fingerprint for two sides: 60 digits, the same whichever side computes it.
 *
 * @param iterations Hash rounds per side; more than 1 (default {@link SAFETY_NUMBER_ITERATIONS}).
 */
export function displayableFingerprint(local: FingerprintSide, remote: FingerprintSide, iterations = SAFETY_NUMBER_ITERATIONS): string {
  if (!Number.isInteger(iterations) || iterations <= 1 || iterations > 1_000_000)
    throw new TypeError('iterations must be an integer in 2..1000000');
  const a = fingerprintDigits(local.stableId, local.key, iterations);
  const b = fingerprintDigits(remote.stableId, remote.key, iterations);
  return a < b ? a + b : b + a;
}

/** A person for a safety number: the account id and the signature keys of its devices. */
export interface SafetyNumberParty {
  readonly accountId: string;
  readonly signatureKeys: readonly Uint8Array[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/** The key bytes of a person: their device keys, concatenated in ascending byte order. */
export function combinedKey(signatureKeys: readonly Uint8Array[]): Uint8Array {
  if (signatureKeys.length === 0) throw new TypeError('a party needs at least one signature key');
  return concat(...[...signatureKeys].sort(compareBytes));
}

/**
 * The safety number of two people over their credential keys, as 60 digits (show it as twelve
 * groups of five with {@link formatSafetyNumber}).
 */
export function safetyNumber(local: SafetyNumberParty, remote: SafetyNumberParty): string {
  const utf8 = new TextEncoder();
  return displayableFingerprint(
    { stableId: utf8.encode(local.accountId), key: combinedKey(local.signatureKeys) },
    { stableId: utf8.encode(remote.accountId), key: combinedKey(remote.signatureKeys) },
  );
}

/** `"30035 44776 …"`: the 60 digits in twelve groups of five. */
export function formatSafetyNumber(digits: string): string {
  return (digits.match(/\d{5}/g) ?? []).join(' ');
}
