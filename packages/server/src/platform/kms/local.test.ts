/**
 * The local key service's file: mode 0600, rotations shared between processes through it, and
 * malformed files refused. What every adapter must do is in key-service.security.test.ts.
 * (ASVS V11.1.1 key lifecycle.)
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyFileError, createLocalKeyFile, openLocalKeyService } from './local.ts';

describe('local key service', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-kms-'));
    file = path.join(dir, 'kek.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the key file readable by the server only, and shares rotations through it', async () => {
    const service = openLocalKeyService(file, { createIfMissing: true, development: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = new Uint8Array(32).fill(1);
    expect(await service.rotate()).toBe('v2');
    const after = await service.wrap(key, 'c');
    // A second process sees the rotation through the file.
    const other = openLocalKeyService(file, { createIfMissing: false, development: false });
    expect(await other.unwrap(after, 'c')).toEqual(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ current: 'v2', development: true });
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
