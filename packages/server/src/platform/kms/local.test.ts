/**
 * The local key service: wraps under the current KEK version, unwraps under any version it still
 * holds, binds the context, rotates and retires through the key file, and refuses malformed files.
 * (ASVS V11.1.1 key lifecycle, V11.3.3 authenticated encryption.)
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyUnwrapError } from './key-service.ts';
import { LocalKeyFileError, createLocalKeyFile, openLocalKeyService } from './local.ts';

describe('local key service', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-kms-'));
    file = path.join(dir, 'kek.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('wraps under the current version and unwraps only with the same context', async () => {
    const service = openLocalKeyService(file, { createIfMissing: true, development: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = new Uint8Array(32).fill(7);
    const wrapped = await service.wrap(key, 'subject a');
    expect(wrapped.kekVersion).toBe('v1');
    expect(Buffer.from(wrapped.wrapped, 'base64url')).toHaveLength(12 + 32 + 16);
    expect(await service.unwrap(wrapped, 'subject a')).toEqual(key);
    await expect(service.unwrap(wrapped, 'subject b')).rejects.toBeInstanceOf(KeyUnwrapError);
    await expect(service.unwrap({ ...wrapped, kekVersion: 'v9' }, 'subject a')).rejects.toBeInstanceOf(KeyUnwrapError);
  });

  it('rotates to a new version, keeps old ones until retired, never retires the current one', async () => {
    const service = openLocalKeyService(file, { createIfMissing: true, development: false });
    const key = new Uint8Array(32).fill(1);
    const before = await service.wrap(key, 'c');
    expect(await service.rotate()).toBe('v2');
    const after = await service.wrap(key, 'c');
    expect(after.kekVersion).toBe('v2');
    expect(await service.versions()).toEqual({ current: 'v2', all: ['v1', 'v2'] });
    expect(await service.unwrap(before, 'c')).toEqual(key);
    await expect(service.retire('v2')).rejects.toBeInstanceOf(LocalKeyFileError);
    await service.retire('v1');
    await expect(service.unwrap(before, 'c')).rejects.toBeInstanceOf(KeyUnwrapError);
    // A second process sees the rotation through the file.
    const other = openLocalKeyService(file, { createIfMissing: false, development: false });
    expect(await other.unwrap(after, 'c')).toEqual(key);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ current: 'v2', development: false });
  });

  it('refuses a missing, existing or malformed key file', () => {
    expect(() => openLocalKeyService(file, { createIfMissing: false, development: false })).toThrow(LocalKeyFileError);
    createLocalKeyFile(file, { development: false });
    expect(() => createLocalKeyFile(file, { development: false })).toThrow(/refusing to overwrite/);
    for (const text of [
      'not json',
      '{}',
      '{"version":1,"development":false,"current":"v1","keks":{"v1":"c2hvcnQ="}}',
      '{"version":1,"development":false,"current":"v1","keks":null}',
    ]) {
      writeFileSync(file, text);
      expect(() => openLocalKeyService(file, { createIfMissing: false, development: false })).toThrow(LocalKeyFileError);
    }
  });
});
