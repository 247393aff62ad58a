/**
 * The first administrator, end to end: `portcullis admin create` (the real CLI) prints a
 * single-use code; the code sets the password; the password alone gives only a session that can
 * register a passkey (the admin role needs one); the passkey then signs in at `aal2_phr`. Run
 * again for that administrator, the command changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app.ts';
import { loadConfig } from '../../config/load.ts';
import { listEntries } from '../../platform/audit/index.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { TEST_PUBLIC_URL, makeTempDir } from '../../test-support/build-test-app.ts';
import { runCli } from '../../test-support/cli.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { SoftwareAuthenticator, registerPasskey, signInWithPasskey } from '../../test-support/software-authenticator.ts';

const NEW_PASSWORD = 'first admin passphrase of some length';

describe('portcullis admin create', () => {
  const dataDir = makeTempDir();
  let app: App;
  let code: string;
  beforeAll(async () => {
    const result = await runCli(['admin', 'create', '--email', 'root@example.test'], { PORTCULLIS_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    code = /"code": "(\d{8})"/.exec(result.stdout)?.[1] ?? '';
    const { config } = loadConfig({
      env: { PORTCULLIS_DATA_DIR: dataDir },
      overrides: { publicUrl: TEST_PUBLIC_URL, http: { tls: { mode: 'upstream' } }, log: { level: 'silent' }, metrics: { enabled: false } },
    });
    app = await buildApp(config, { logger: createLogger(config) });
  });
  afterAll(() => app.close());

  it('V16.3.1: the command is audited with the administrator as subject, no actor or session, and a network of `local`', async () => {
    const { entries } = await listEntries({ db: app.portcullis.database.db }, { action: 'account.admin_created' });
    expect(entries).toEqual([
      expect.objectContaining({ outcome: 'success', actor: null, session: null, ipPrefix: 'local', reason: 'created_from_cli' }),
    ]);
    expect(entries[0]?.subject).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('V6.4.1: refuses bad usage with exit 2', async () => {
    expect((await runCli(['admin', 'create'], { PORTCULLIS_DATA_DIR: dataDir })).code).toBe(2);
    expect((await runCli(['admin', 'create', '--email', 'not-an-address'], { PORTCULLIS_DATA_DIR: dataDir })).code).toBe(2);
  });

  it('the printed code sets the password; the first session can only register a passkey; the passkey signs in at aal2_phr', async () => {
    expect(code).toMatch(/^\d{8}$/);
    const device = new TestDevice(app);
    const set = await device.send({
      method: 'POST',
      url: '/v1/accounts/password-reset/confirm',
      payload: { email: 'root@example.test', code, newPassword: NEW_PASSWORD },
    });
    expect(set.statusCode).toBe(204);
    expect((await device.signIn('root@example.test', NEW_PASSWORD)).statusCode).toBe(201);
    const restricted = await device.call('POST', '/v1/accounts/password', { currentPassword: NEW_PASSWORD, newPassword: 'x'.repeat(20) });
    expect(restricted.json<{ code: string }>().code).toBe('MFA_ENROLMENT_REQUIRED');

    const key = new SoftwareAuthenticator();
    expect((await registerPasskey(device, key)).statusCode).toBe(201);
    const admin = new TestDevice(app);
    expect((await signInWithPasskey(admin, key)).statusCode).toBe(201);
    expect(admin.tokens?.aal).toBe('aal2_phr');
    const me = (await admin.call('GET', '/v1/accounts/me')).json<{ roles: string[] }>();
    expect(me.roles).toEqual(['admin']);

    const reused = await device.send({
      method: 'POST',
      url: '/v1/accounts/password-reset/confirm',
      payload: { email: 'root@example.test', code, newPassword: 'another passphrase of some length' },
    });
    expect(reused.statusCode).toBe(400);
  });

  it('once the administrator can sign in, running it again changes nothing and says why (exit 1, one line)', async () => {
    // Follows the test above, which set the password and registered a passkey.
    const again = await runCli(['admin', 'create', '--email', 'root@example.test'], { PORTCULLIS_DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      /^portcullis: root@example\.test is already an administrator \(account [0-9a-f-]+\) with a way to sign in; nothing changed\./,
    );
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });
});
