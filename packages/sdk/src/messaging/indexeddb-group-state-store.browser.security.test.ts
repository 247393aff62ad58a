/**
 * The messaging group-state store in a real browser: Debian's Chromium, headless, driven through
 * playwright-core with a profile directory of its own. The page is served from
 * `http://localhost` (a secure context, so WebCrypto is available) and loads an esbuild bundle of
 * `test-support/browser-store-page.ts`, which uses `@portcullis/sdk/messaging` the way a web app
 * does.
 *
 * Invariants (ASVS 5.0 V14.3.3: what the messaging engine keeps in IndexedDB, its signing key and
 * epoch secrets, is not readable from browser storage):
 * - every value of `IndexedDbGroupStateStore` is sealed under a non-extractable AES-256-GCM
 *   `CryptoKey` kept in the same database: script can use it but never read it;
 * - neither the raw IndexedDB records nor the files of the browser profile hold a stored value,
 *   nor the engine's device signing-key record, in any common encoding, while a value written
 *   without the store is found there (the scan sees plaintext when there is some);
 * - a record moved to another slot, or altered, is an error, never a missing value;
 * - the state survives a page reload, and two engines on it hold a conversation.
 *
 * Outside CI the test is skipped (loudly) when /usr/bin/chromium is missing; with CI=true a
 * missing Chromium fails it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorePage } from '../test-support/browser-store-page.ts';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = process.env['CI'] === 'true';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM && !IN_CI) {
  process.stderr.write(
    `\n*** Chromium not found at ${CHROMIUM}: the browser group-state store test is SKIPPED. Install it with apt-get install chromium. ***\n\n`,
  );
}

const PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>Group state</title><script type="module" src="/store-page.js"></script>';

/** Stored through the store; must never show up in what lies on disk. */
const MARKER = 'MARKER-epoch-secret-7d1f3a9c-lesion-left-forearm';
/** Written without the store, into a database of its own: proves the scan finds plaintext. */
const CONTROL = 'CONTROL-plaintext-b64e02c4-visible-on-disk';

async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../test-support/browser-store-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The SDK's TypeScript sources, as everywhere in the repository (tools/build-sdk.mjs).
    conditions: ['portcullis-source'],
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

async function servePage(script: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const headers = { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' };
    if (request.url === '/') response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    else if (request.url === '/store-page.js')
      response.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

/** `marker` as UTF-8, UTF-16LE, hex and the stable cores of its base64/base64url at each alignment. */
function encodingsOf(marker: string): { encoding: string; needle: Buffer }[] {
  const bytes = Buffer.from(marker, 'utf8');
  const forms = [
    { encoding: 'utf-8', needle: bytes },
    { encoding: 'utf-16le', needle: Buffer.from(marker, 'utf16le') },
    { encoding: 'hex', needle: Buffer.from(bytes.toString('hex')) },
  ];
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const core = padded
      .toString('base64')
      .replace(/=+$/, '')
      .slice(Math.ceil((offset * 8) / 6), Math.floor((padded.length * 8) / 6));
    forms.push({ encoding: `base64+${offset}`, needle: Buffer.from(core) });
    forms.push({ encoding: `base64url+${offset}`, needle: Buffer.from(core.replaceAll('+', '-').replaceAll('/', '_')) });
  }
  return forms;
}

function findIn(sources: readonly { where: string; bytes: Buffer }[], marker: string): string[] {
  const found: string[] = [];
  for (const { where, bytes } of sources) {
    for (const { encoding, needle } of encodingsOf(marker)) if (bytes.includes(needle)) found.push(`${where} (${encoding})`);
  }
  return found;
}

async function filesUnder(directory: string): Promise<{ where: string; bytes: Buffer }[]> {
  const files: { where: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ where: path.slice(directory.length + 1), bytes: await readFile(path) });
  }
  return files;
}

/** What the page script puts on `globalThis`; the functions given to `page.evaluate` run in the page. */
interface InPage {
  readonly storePage: StorePage;
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('the IndexedDB group-state store in Chromium', () => {
  let server: Server | undefined;
  let origin = '';
  let profile = '';
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  async function launch(): Promise<void> {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, timeout: 30_000 });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'storePage' in globalThis);
  }

  beforeAll(async () => {
    if (!HAS_CHROMIUM) return; // CI: the tests fail, below
    ({ server, origin } = await servePage(await bundlePageScript()));
    profile = await mkdtemp(join(tmpdir(), 'portcullis-chromium-'));
    await launch();
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (profile !== '') await rm(profile, { recursive: true, force: true });
  });

  const requireChromium = (): void => {
    if (!HAS_CHROMIUM) throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing (apt-get install chromium)`);
  };

  it('keeps values across a page reload, sealed under a non-extractable AES-256-GCM key that script cannot export', async () => {
    requireChromium();
    await page.evaluate(([marker]) => (globalThis as unknown as InPage).storePage.put('store-a', 'groups', 'group-1', marker), [
      MARKER,
    ] as const);
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.put('store-a', 'meta', 'cursor', '42'));

    await page.reload();
    await page.waitForFunction(() => 'storePage' in globalThis);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-a', 'groups', 'group-1'))).toEqual({
      ok: true,
      value: MARKER,
    });
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.keys('store-a', 'meta'))).toEqual(['cursor']);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-a', 'device', 'self'))).toEqual({
      ok: true,
    });

    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.sealingKey('store-a'))).toEqual({
      isCryptoKey: true,
      type: 'secret',
      extractable: false,
      algorithm: 'AES-GCM',
      length: 256,
      usages: ['decrypt', 'encrypt'],
      exportRejected: { raw: true, jwk: true },
    });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('writes a batch all or nothing', async () => {
    requireChromium();
    const failed = await page.evaluate(() => (globalThis as unknown as InPage).storePage.failingBatch('store-a', 'half', 'first half'));
    expect(failed.ok).toBe(false);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-a', 'meta', 'half'))).toEqual({ ok: true });
  });

  it('holds no stored value in its raw records: each is version ‖ IV ‖ AES-GCM ciphertext, and the key is a CryptoKey object', async () => {
    requireChromium();
    const records = await page.evaluate(() => (globalThis as unknown as InPage).storePage.rawRecords('store-a'));
    expect(records.map(({ store, key, kind }) => `${store}/${key}:${kind}`).sort()).toEqual([
      'groups/group-1:bytes',
      'meta/cursor:bytes',
      'sealing-key/aes-256-gcm:CryptoKey',
    ]);
    const sealed = records.filter((record) => record.base64 !== undefined).map((record) => Buffer.from(record.base64!, 'base64'));
    const group = records.find((record) => record.key === 'group-1')!;
    const groupBytes = Buffer.from(group.base64!, 'base64');
    expect(groupBytes[0]).toBe(1);
    expect(groupBytes.length).toBe(1 + 12 + Buffer.byteLength(MARKER) + 16);
    expect(findIn([{ where: 'records', bytes: Buffer.concat(sealed) }], MARKER)).toEqual([]);
  });

  it('refuses a record moved to another slot or altered, as an error and never as a missing value', async () => {
    requireChromium();
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.put('store-b', 'meta', 'group:one', 'meta of one'));
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.put('store-b', 'meta', 'group:two', 'meta of two'));
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.put('store-b', 'groups', 'one', 'state of one'));
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.put('store-b', 'keyPackages', 'one', 'package one'));

    // Same namespace, two keys.
    await page.evaluate(() =>
      (globalThis as unknown as InPage).storePage.swapRaw('store-b', { ns: 'meta', key: 'group:one' }, { ns: 'meta', key: 'group:two' }),
    );
    for (const key of ['group:one', 'group:two']) {
      expect(await page.evaluate((k) => (globalThis as unknown as InPage).storePage.get('store-b', 'meta', k), key)).toMatchObject({
        ok: false,
        code: 'STORED_STATE_UNREADABLE',
      });
    }
    // Same key, two namespaces.
    await page.evaluate(() =>
      (globalThis as unknown as InPage).storePage.swapRaw('store-b', { ns: 'groups', key: 'one' }, { ns: 'keyPackages', key: 'one' }),
    );
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-b', 'groups', 'one'))).toMatchObject({
      ok: false,
      code: 'STORED_STATE_UNREADABLE',
    });
    // Swapped back, they open again: the refusal was the slot, not the store.
    await page.evaluate(() =>
      (globalThis as unknown as InPage).storePage.swapRaw('store-b', { ns: 'groups', key: 'one' }, { ns: 'keyPackages', key: 'one' }),
    );
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-b', 'groups', 'one'))).toEqual({
      ok: true,
      value: 'state of one',
    });
    // One flipped bit.
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.tamperRaw('store-b', 'groups', 'one'));
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-b', 'groups', 'one'))).toMatchObject({
      ok: false,
      code: 'STORED_STATE_UNREADABLE',
    });
    // Another database's key does not open this one's records.
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.put('store-c', 'meta', 'group:one', 'other device'));
    await page.evaluate(() => (globalThis as unknown as InPage).storePage.transplantRaw('store-c', 'store-b', 'meta', 'group:one'));
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-b', 'meta', 'group:one'))).toMatchObject({
      ok: false,
      code: 'STORED_STATE_UNREADABLE',
    });
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-c', 'meta', 'group:one'))).toEqual({
      ok: true,
      value: 'other device',
    });
  });

  it('two messaging engines on IndexedDB hold a conversation, and their stored state shows neither the signing key record nor the identities', async () => {
    requireChromium();
    const texts = ['first message', 'second message'];
    const result = await page.evaluate((sent) => (globalThis as unknown as InPage).storePage.roundTrip('acc_rt', sent), texts);
    expect(result.received).toEqual(texts);
    expect(result.conversations[0]).toHaveLength(1);
    expect(result.conversations[1]).toEqual(result.conversations[0]);

    const records = [
      ...(await page.evaluate(() => (globalThis as unknown as InPage).storePage.rawRecords('acc_rt-patient'))),
      ...(await page.evaluate(() => (globalThis as unknown as InPage).storePage.rawRecords('acc_rt-clinician'))),
    ];
    expect(records.filter((record) => record.store === 'device').map((record) => record.key)).toEqual(['self', 'self']);
    const sealed = Buffer.concat(records.flatMap((record) => (record.base64 === undefined ? [] : [Buffer.from(record.base64, 'base64')])));
    // The device record is JSON with the Ed25519 private key under "signKey" and the identity in it.
    for (const marker of ['"signKey"', 'acc_rt_patient:', 'acc_rt_clinician:', 'sentSinceUpdate']) {
      expect(findIn([{ where: 'records', bytes: sealed }], marker)).toEqual([]);
    }
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('leaves no stored value in the browser profile on disk, where a value written without the store is found', async () => {
    requireChromium();
    await page.evaluate((control) => (globalThis as unknown as InPage).storePage.putPlaintextControl('control', control), CONTROL);
    // Closing the browser flushes IndexedDB to the profile directory.
    await context?.close();
    context = undefined;
    const files = await filesUnder(profile);
    expect(files.some((file) => file.where.includes('IndexedDB'))).toBe(true);
    expect(findIn(files, CONTROL).length).toBeGreaterThan(0);
    expect(findIn(files, MARKER)).toEqual([]);
    expect(findIn(files, '"signKey"')).toEqual([]);

    // The profile opens again and the values are still there.
    await launch();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).storePage.get('store-a', 'groups', 'group-1'))).toEqual({
      ok: true,
      value: MARKER,
    });
  }, 90_000);
});
