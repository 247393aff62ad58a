/**
 * @module bench/simulations/web-paint/server
 *
 * The server the web-paint benchmark loads pages from, started as an operator starts one: the
 * built `portcullis start` on plain `node` with the server's flags, configured only through
 * `PORTCULLIS_*` variables, in development on an empty temporary data directory, so its first
 * start seeds the demo clinic and writes the accounts to `<dataDir>/demo-accounts.json`. HTTPS
 * with the development certificate on a free loopback port, the public URL
 * `https://localhost:<port>` (what a developer opens), no metrics listener (its fixed port could
 * collide with another server on the machine). Nothing of the runner's own `PORTCULLIS_*`
 * settings reaches it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { SERVER_NODE_FLAGS } from '../../../tools/build.mjs';
import { readDemoAccounts, type DemoAccount } from '../../../packages/server/src/modules/demo/accounts-file.js';
import { LOOPBACK_HOST } from '../../lib/loopback.ts';
import { processCpuMicros } from '../../lib/usage.ts';

/** Starting includes migrations and seeding the clinic (an Argon2id hash per account). */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
/** The line `portcullis start` prints once the demo clinic is there (modules/demo/instructions.ts). */
const DEMO_READY = /demo clinic: open /;
/** Variables the server reads besides `PORTCULLIS_*` (its aliases): the runner's must not leak in. */
const ALIASES = new Set(['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL']);

export interface DemoServerProcess {
  /** `https://localhost:<port>`: the public URL; the app is at `${url}/`. */
  readonly url: string;
  readonly pid: number;
  readonly accounts: readonly DemoAccount[];
  /** CPU time of every thread of the server process so far, in milliseconds. */
  readonly cpuMs: () => number;
  readonly stop: () => Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, LOOPBACK_HOST, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function serverEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('PORTCULLIS_') && !ALIASES.has(name));
  return { ...Object.fromEntries(inherited), ...settings };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once the server has printed the demo block; rejects when it exits or takes too long. */
function untilDemoReady(child: ChildProcess, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => finish(new Error(`the server did not seed the demo within ${START_TIMEOUT_MS} ms (log: ${logFile})`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      seen = `${seen}${chunk.toString('utf8')}`.slice(-4096);
      if (DEMO_READY.test(seen)) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`the server exited (code ${code}) before it was ready:\n${seen}`));
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stderr?.off('data', onData);
      if (error) reject(error);
      else resolve();
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts `portcullis.mjs start` (built by `buildServer`) on `dataDir` serving the app from
 * `webDir`; stdout and stderr go to `logFile`.
 */
export async function startDemoServerProcess(options: {
  readonly portcullis: string;
  readonly dataDir: string;
  readonly webDir: string;
  readonly logFile: string;
}): Promise<DemoServerProcess> {
  const port = await freeLoopbackPort();
  const url = `https://localhost:${port}`;
  const env = serverEnvironment({
    PORTCULLIS_ENVIRONMENT: 'development',
    PORTCULLIS_DATA_DIR: options.dataDir,
    PORTCULLIS_HTTP_HOST: LOOPBACK_HOST,
    PORTCULLIS_HTTP_PORT: String(port),
    PORTCULLIS_PUBLIC_URL: url,
    PORTCULLIS_METRICS_ENABLED: 'false',
    PORTCULLIS_WEB_DIR: options.webDir,
  });
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...SERVER_NODE_FLAGS, options.portcullis, 'start'], { env, stdio: ['ignore', log, 'pipe'] });
  } finally {
    closeSync(log); // the child holds its own copy of the descriptor
  }
  child.on('error', () => undefined); // reported by the exit wait below
  // All of stderr goes to the log too, for as long as the server runs: a full pipe would block it.
  child.stderr?.pipe(createWriteStream(options.logFile, { flags: 'a' }));
  const stop = async (): Promise<void> => {
    if (!exited(child)) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.kill('SIGTERM'); // the server closes cleanly on SIGTERM (main.ts)
      await gone;
      clearTimeout(kill);
    }
  };
  try {
    await untilDemoReady(child, options.logFile);
    const accounts = readDemoAccounts(options.dataDir)?.accounts;
    if (!accounts) throw new Error(`the server announced the demo but ${options.dataDir} holds no demo accounts`);
    const pid = child.pid ?? -1;
    return {
      url,
      pid,
      accounts,
      cpuMs: () => (processCpuMicros(pid) ?? Number.NaN) / 1000,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
