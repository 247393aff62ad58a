/**
 * The `portcullis` CLI as operators use it: documented exit codes, one-line errors, every
 * configuration problem listed, migrations, and a clean exit on SIGTERM. Each test runs against
 * the TypeScript source and against the compiled bundle that `npm start` runs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './test-support/build-test-app.ts';
import { buildCli, runCli as runCliIn, spawnCli as spawnCliIn, type CliRuntime } from './test-support/cli.ts';
import { MIGRATIONS } from './platform/db/index.ts';

describe.each<CliRuntime>(['source', 'build'])('portcullis CLI (%s)', (runtime) => {
  const runCli = (args: readonly string[], env: Readonly<Record<string, string>> = {}) => runCliIn(args, env, runtime);
  const spawnCli = (args: readonly string[], env: Readonly<Record<string, string>> = {}) => spawnCliIn(args, env, runtime);

  beforeAll(async () => {
    if (runtime === 'build') await buildCli();
  }, 60_000);

  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: portcullis <command>/);
    expect(result.stdout).toMatch(/config check/);
  });

  it('exits 2 with usage on an unknown command', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('names the missing or wrong part of a known command, exit 2, instead of "unknown command"', async () => {
    const missing = await runCli(['admin', 'create']);
    expect(missing).toMatchObject({ code: 2, stderr: 'portcullis: admin create: --email ADDRESS is required\n' });
    const noValue = await runCli(['outbox', '--limit']);
    expect(noValue).toMatchObject({ code: 2, stderr: 'portcullis: outbox: --limit needs a value (N)\n' });
    const group = await runCli(['audit']);
    expect(group).toMatchObject({ code: 2, stderr: 'portcullis: "audit" needs a subcommand: audit verify, audit export\n' });
  });

  it('admin create makes an administrator, and says so when run again before it can sign in', async () => {
    const env = { PORTCULLIS_DATA_DIR: makeTempDir() };
    const first = await runCli(['admin', 'create', '--email', 'root@example.test'], env);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created administrator root@example\.test /) as unknown });
    const again = await runCli(['admin', 'create', '--email=root@example.test'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^root@example\.test is already an administrator but cannot sign in yet: here is a new code/);
    expect(/"code": "(\d{8})"/.exec(again.stdout)?.[1]).not.toBe(/"code": "(\d{8})"/.exec(first.stdout)?.[1]);
  });

  it('demo seed seeds the demo clinic once and prints how to sign in as each role; production refuses it', async () => {
    const env = { PORTCULLIS_DATA_DIR: makeTempDir() };
    const first = await runCli(['demo', 'seed'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('portcullis: seeded the demo clinic\n');
    for (const role of ['patient', 'clinician', 'support', 'admin', 'auditor'])
      expect(first.stdout).toMatch(new RegExp(`^  ${role} +\\S+@demo\\.portcullis\\.test `, 'm'));
    expect(first.stdout).toContain('open https://localhost:8443/');
    expect(existsSync(path.join(env.PORTCULLIS_DATA_DIR, 'demo-accounts.json'))).toBe(true);
    const again = await runCli(['demo', 'seed'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/the demo clinic was already seeded .*nothing changed/);
    expect(again.stdout).toBe(first.stdout);
    const productions: Record<string, string>[] = [{ PORTCULLIS_ENVIRONMENT: 'production' }, { NODE_ENV: 'production' }];
    for (const production of productions) {
      const refused = await runCli(['demo', 'seed'], { PORTCULLIS_DATA_DIR: makeTempDir(), ...production });
      expect(refused).toMatchObject({
        code: 1,
        stdout: '',
        stderr: expect.stringContaining('demo seed: refused in production') as unknown,
      });
    }
  });

  it('config check lists every problem and exits 1', async () => {
    const result = await runCli(['config', 'check'], { PORTCULLIS_HTTP_PORT: 'x', PORTCULLIS_NOPE: '1', NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PORTCULLIS_HTTP_PORT: expected a number/);
    expect(result.stderr).toMatch(/PORTCULLIS_NOPE: unknown setting/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('config check accepts a valid configuration and warns about development defaults', async () => {
    const result = await runCli(['config', 'check'], { PORTCULLIS_DATA_DIR: makeTempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('configuration is valid\n');
    expect(result.stderr).toMatch(/WARNING \(development default\) http\.tls\.mode/);
  });

  it('migrate applies pending migrations once', async () => {
    const env = { PORTCULLIS_DATA_DIR: makeTempDir() };
    const first = await runCli(['migrate'], env);
    expect(first).toMatchObject({ code: 0, stdout: `applied: ${Object.keys(MIGRATIONS).join(', ')}\n` });
    const second = await runCli(['migrate'], env);
    expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
  });

  it('audit verify checks the log with its worker threads', async () => {
    const env = { PORTCULLIS_DATA_DIR: makeTempDir() };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const result = await runCli(['audit', 'verify'], env);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit log intact: 0 entries/) as unknown });
  });

  it('keys generate prints a production key ring that a production configuration accepts', async () => {
    const result = await runCli(['keys', 'generate']);
    expect(result.code).toBe(0);
    const ring = JSON.parse(result.stdout) as { version: number; development: boolean; keys: Record<string, string> };
    expect(ring).toMatchObject({ version: 1, development: false });
    expect(Object.values(ring.keys).every((key) => Buffer.from(key, 'base64').length === 32)).toBe(true);
    const second = JSON.parse((await runCli(['keys', 'generate'])).stdout) as typeof ring;
    expect(second.keys).not.toEqual(ring.keys);
  });

  it('keys generate --complete adds the keys of purposes added since to an existing production ring, keeping every key it has', async () => {
    const ring = JSON.parse((await runCli(['keys', 'generate'])).stdout) as {
      version: number;
      development: boolean;
      keys: Record<string, string>;
    };
    const older = { ...ring, keys: Object.fromEntries(Object.entries(ring.keys).filter(([purpose]) => purpose !== 'key-log-signing')) };
    const file = path.join(makeTempDir(), 'ring.json');
    writeFileSync(file, JSON.stringify(older));
    const completed = await runCli(['keys', 'generate', '--complete', file]);
    expect(completed.code).toBe(0);
    expect(completed.stderr).toContain('added key-log-signing');
    const upgraded = JSON.parse(completed.stdout) as typeof ring;
    expect(upgraded).toMatchObject({ version: 1, development: false, keys: older.keys });
    expect(Buffer.from(upgraded.keys['key-log-signing'] ?? '', 'base64')).toHaveLength(32);
    writeFileSync(file, JSON.stringify({ ...ring, development: true }));
    expect((await runCli(['keys', 'generate', '--complete', file])).code).toBe(1);
    expect((await runCli(['keys', 'generate', '--complete', path.join(makeTempDir(), 'missing.json')])).code).toBe(1);
  });

  it('start serves HTTPS, prints the public URL, how to trust the certificate and the seeded demo clinic, and exits 0 on SIGTERM', async () => {
    const dataDir = makeTempDir();
    const child = spawnCli(['start'], {
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_HTTP_PORT: '0',
      PORTCULLIS_METRICS_ENABLED: 'false',
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The first development start of an empty database seeds the demo clinic and prints it last.
        if (stderr.includes('Messages start when a patient opens Messages')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    const port = /listening on https:\/\/127\.0\.0\.1:(\d+)\n/.exec(stderr)?.[1];
    expect(port).toBeDefined();
    // The default public URL, which DPoP proofs must name, not the bound address.
    expect(stderr).toContain('clients must use the public URL https://localhost:8443 ');
    // Port 0 bound elsewhere: the public URL no longer reaches this listener, and start says so.
    expect(stderr).toContain(
      `WARNING the public URL https://localhost:8443 does not name the port the server listens on (${port}); set PORTCULLIS_PUBLIC_URL=https://localhost:${port}`,
    );
    const certificate = path.join(dataDir, 'tls', 'dev-localhost-cert.pem');
    expect(stderr).toContain(`NODE_EXTRA_CA_CERTS=${certificate} `);
    expect(existsSync(certificate)).toBe(true);
    expect(stderr).toContain('portcullis: first start: seeded the demo clinic');
    expect(stderr).toMatch(/portcullis: demo clinic: open https:\/\/localhost:8443\/ /);
    expect(stderr).toMatch(/^portcullis: {3}clinician +\S+@demo\.portcullis\.test /m);
    expect(existsSync(path.join(dataDir, 'demo-accounts.json'))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
