/**
 * The key service configuration refuses what would put the keys beside the data they open
 * (ASVS V13.3.1 secrets kept apart, V11.1.1 key management): in production, a local key file
 * inside the data directory — also through a symbolic link — or no key file at all is a start-up
 * error; the PKCS#11 adapter needs its library, token and exactly one source of the PIN.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli.ts';
import { ConfigError, loadConfig } from './load.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  PORTCULLIS_PUBLIC_URL: 'https://auth.example.com',
  PORTCULLIS_HTTP_TLS_MODE: 'upstream',
  DATABASE_URL: 'postgres://portcullis@db.internal/portcullis',
  SMTP_URL: 'smtps://mailer@smtp.example.com:465',
  PORTCULLIS_KEYS_RING_FILE: '/run/secrets/portcullis-keyring.json',
  PORTCULLIS_DATA_DIR: '/var/lib/portcullis',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('key service configuration', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'portcullis-kms-config-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('V13.3.1: production refuses a local key file inside the data directory, or none at all', () => {
    expect(problemsOf({ ...PRODUCTION, PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/var/lib/portcullis/key-service/kek.json' })).toMatch(
      /keyService\.local\.keyFile: "\/var\/lib\/portcullis\/key-service\/kek\.json" is inside dataDir/,
    );
    expect(problemsOf({ ...PRODUCTION, PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/var/lib/portcullis/../portcullis/kek.json' })).toMatch(
      /is inside dataDir/,
    );
    expect(problemsOf(PRODUCTION)).toMatch(/keyService\.local\.keyFile: unset/);
    expect(problemsOf({ ...PRODUCTION, PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/run/secrets/portcullis-kek.json' })).toBe('');
    // A sibling directory whose name merely starts like the data directory is outside it.
    expect(problemsOf({ ...PRODUCTION, PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/var/lib/portcullis-keys/kek.json' })).toBe('');
  });

  it('V13.3.1: a symbolic link does not hide a key file inside the data directory', () => {
    const dataDir = path.join(scratch, 'data');
    mkdirSync(path.join(dataDir, 'keys'), { recursive: true });
    symlinkSync(path.join(dataDir, 'keys'), path.join(scratch, 'secrets'));
    expect(
      problemsOf({
        ...PRODUCTION,
        PORTCULLIS_DATA_DIR: dataDir,
        PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: path.join(scratch, 'secrets', 'kek.json'),
      }),
    ).toMatch(/is inside dataDir/);
  });

  it('only warns in development, where the default key file lives in the data directory', () => {
    const { config, warnings } = loadConfig({ env: {} });
    expect(config.keyService).toMatchObject({ adapter: 'local', cache: { maxKeys: 10000, ttlSeconds: 300 } });
    expect(warnings.join('\n')).toMatch(/keyService\.local\.keyFile: unset/);
  });

  it('requires the library, the token and one source of the PIN for the PKCS#11 adapter', () => {
    const pkcs11 = { ...PRODUCTION, PORTCULLIS_KEY_SERVICE_ADAPTER: 'pkcs11' };
    const missing = problemsOf(pkcs11);
    expect(missing).toMatch(/keyService\.pkcs11\.library: required/);
    expect(missing).toMatch(/keyService\.pkcs11\.tokenLabel: required/);
    expect(missing).toMatch(/pinFile \(or pin\) is required/);
    expect(missing).not.toMatch(/keyService\.local/);
    const complete = {
      ...pkcs11,
      PORTCULLIS_KEY_SERVICE_PKCS11_LIBRARY: '/usr/lib/softhsm/libsofthsm2.so',
      PORTCULLIS_KEY_SERVICE_PKCS11_TOKEN_LABEL: 'portcullis',
      PORTCULLIS_KEY_SERVICE_PKCS11_PIN_FILE: '/run/secrets/hsm-pin',
    };
    expect(problemsOf(complete)).toBe('');
    expect(problemsOf({ ...complete, PORTCULLIS_KEY_SERVICE_PKCS11_PIN: 'test-fixture-pin' })).toMatch(/set pinFile or pin, not both/);
    expect(problemsOf({ ...complete, PORTCULLIS_KEY_SERVICE_PKCS11_KEY_LABEL_PREFIX: 'bad label!' })).toMatch(/keyLabelPrefix/);
  });

  it('V13.3.1: `portcullis config check` names the refused key file and exits 1', async () => {
    const result = await runCli(['config', 'check'], {
      ...PRODUCTION,
      PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/var/lib/portcullis/kek.json',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/keyService\.local\.keyFile: "\/var\/lib\/portcullis\/kek\.json" is inside dataDir/);
  });
});
