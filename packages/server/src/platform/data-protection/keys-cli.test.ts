/**
 * `portcullis keys status`, `keys rotate` and `keys retire`, run as operators run them (the real
 * CLI in a child process) on each key service adapter: plain progress lines when standard error
 * is not a terminal, a summary on standard output, audit entries for the new and the retired
 * version, and a retirement refused while a data key still uses the version (ASVS V11.1.1).
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/cli.ts';
import { testKeyServices } from '../kms/test-support/test-key-services.ts';
import { openDataProtectionTestDatabase, type DataProtectionTestDatabase } from './test-support/data-protection-database.ts';

describe.each(testKeyServices())('portcullis keys with the $adapter key service', ({ adapter, freshKeyService }) => {
  let t: DataProtectionTestDatabase;
  beforeEach(async () => {
    t = await openDataProtectionTestDatabase('sqlite', freshKeyService());
  });
  afterEach(async () => {
    await t.close();
  });

  it('V11.1.1: rotates with progress lines, retires the old version, reports the status, and audits both', async () => {
    const dp = t.newDataProtection();
    const sealed: string[] = [];
    for (let i = 0; i < 12; i += 1)
      sealed.push(await dp.seal(t.database.db, `person-${i}`, `value ${i}`, { table: 't', column: 'c', rowId: `${i}` }));

    const refused = await runCli(['keys', 'retire', '--version', 'v1'], t.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/KEK v1 is current and cannot be retired/);

    const rotated = await runCli(['keys', 'rotate', '--batch-size', '5', '--grace-seconds', '0'], t.env);
    expect(rotated.stderr).toBe(['5/12', '10/12', '12/12'].map((n) => `portcullis: ${n} data keys re-wrapped under v2\n`).join(''));
    expect(rotated.stdout).toBe(
      'KEK v2 is current (created now); 12 data key(s) re-wrapped, 0 changed meanwhile and left alone\nretired: v1\n',
    );
    expect(rotated.code).toBe(0);

    const status = await runCli(['keys', 'status'], t.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`key service: ${adapter}, current KEK version v2\n  v2            12 data key(s)  (current)\n`);

    const audited = await t.database.db.selectFrom('audit_events').select(['action', 'reason']).orderBy('log_index').execute();
    expect(audited).toEqual([
      { action: 'kek.rotated', reason: 'v2' },
      { action: 'kek.retired', reason: 'v1' },
    ]);
    // The server's own key service sees the new version and still opens everything.
    const reader = t.newDataProtection({ maxKeys: 0, ttlMs: 1 });
    for (const [i, value] of sealed.entries()) {
      expect(await reader.open(t.database.db, `person-${i}`, value, { table: 't', column: 'c', rowId: `${i}` })).toBe(`value ${i}`);
    }
    expect(await t.keyService.versions()).toEqual({ current: 'v2', all: ['v2'] });
  });
});

describe('portcullis keys init', () => {
  it('writes a production key file (mode 0600) and refuses to overwrite it', async () => {
    const t = await openDataProtectionTestDatabase('sqlite');
    const file = path.join(t.dataDir, '..', `${path.basename(t.dataDir)}-kek.json`);
    try {
      const first = await runCli(['keys', 'init', '--file', file]);
      expect(first.code).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, development: false, current: 'v1' });
      const again = await runCli(['keys', 'init', '--file', file]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already exists; refusing to overwrite it/);
    } finally {
      rmSync(file, { force: true });
      await t.close();
    }
  });
});
