/**
 * @module test-support/softhsm
 *
 * A real SoftHSM2 token for the tests of the `pkcs11` key service: once per test process, a
 * fresh token is initialised in a temporary directory with its own `SOFTHSM2_CONF` (SoftHSM reads
 * it when the library is initialised), so no test touches the machine's tokens. Tests that need
 * an empty key service use a label prefix of their own on this token. With CI=true a missing
 * SoftHSM2 fails the run; elsewhere the PKCS#11 variants are skipped, loudly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomName } from './postgres.ts';

export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';
const SOFTHSM_UTIL = '/usr/bin/softhsm2-util';

/** Test fixtures, not secrets: the PINs of a throw-away token in a temporary directory. */
export const TEST_FIXTURE_USER_PIN = 'test-fixture-user-pin';
const TEST_FIXTURE_SO_PIN = 'test-fixture-so-pin';

export interface SoftHsmToken {
  readonly library: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** The directory holding the token's files (moving it away makes the token unreachable). */
  readonly tokenDir: string;
}

let token: SoftHsmToken | null | undefined;

export function softHsmInstalled(): boolean {
  return existsSync(SOFTHSM_LIBRARY) && existsSync(SOFTHSM_UTIL);
}

/** This process's SoftHSM token, initialised on first call; null when SoftHSM2 is missing outside CI. */
export function softHsmToken(): SoftHsmToken | null {
  if (token !== undefined) return token;
  if (!softHsmInstalled()) {
    if (process.env['CI'] === 'true') throw new Error(`SoftHSM2 is required in CI but ${SOFTHSM_LIBRARY} or ${SOFTHSM_UTIL} is missing`);
    process.stderr.write(
      `\n*** SoftHSM2 not installed (${SOFTHSM_LIBRARY}): the PKCS#11 key service variants are SKIPPED. Install the Debian package softhsm2. ***\n\n`,
    );
    token = null;
    return token;
  }
  const root = mkdtempSync(path.join(tmpdir(), 'portcullis-softhsm-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const tokenDir = path.join(root, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const conf = path.join(root, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  // The library reads its configuration from the environment when it is initialised.
  process.env['SOFTHSM2_CONF'] = conf;
  const tokenLabel = randomName('portcullis');
  execFileSync(
    SOFTHSM_UTIL,
    ['--init-token', '--free', '--label', tokenLabel, '--so-pin', TEST_FIXTURE_SO_PIN, '--pin', TEST_FIXTURE_USER_PIN],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'ignore' },
  );
  token = { library: SOFTHSM_LIBRARY, tokenLabel, pin: TEST_FIXTURE_USER_PIN, tokenDir };
  return token;
}
