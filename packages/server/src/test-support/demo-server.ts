/**
 * @module test-support/demo-server
 *
 * `startDemoServer()`: the real server on a loopback port, serving the web app from a given
 * directory, with the demo clinic seeded — what a browser test of the app starts from. Returns
 * the URL to open and the demo accounts with their passwords.
 */
import { rmSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { demoSeedDepsFrom, seedDemoClinic, type DemoAccount } from '../modules/demo/index.ts';
import { mergeConfigSources } from '../config/load.ts';
import type { Config, ConfigOverrides } from '../config/schema.ts';
import type { RunningServer } from '../server.ts';
import type { TestDialect } from './databases.ts';
import { testDatabases } from './databases.ts';
import { startRealTestServer } from './real-server.ts';

export interface DemoServer {
  readonly server: RunningServer;
  /** `http://127.0.0.1:<port>` (or `https://localhost:<port>`): the public URL; the app is at `${url}/`. */
  readonly url: string;
  readonly accounts: readonly DemoAccount[];
  readonly dataDir: string;
  /** The configuration the server runs with (what a test needs to call a module as the server would). */
  readonly config: Config;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

export async function startDemoServer(
  options: {
    readonly dialect?: TestDialect;
    /** The built web app (`index.html`, `assets/`); by default the checkout's `packages/web/dist`. */
    readonly webDir?: string;
    readonly host?: '127.0.0.1' | 'localhost';
    readonly tls?: 'self-signed';
    /** Extra configuration, merged over the demo server's. */
    readonly config?: (baseUrl: string) => ConfigOverrides;
    readonly plugins?: readonly FastifyPluginAsync[];
    readonly logLines?: string[];
  } = {},
): Promise<DemoServer> {
  const dialect = options.dialect ?? 'sqlite';
  const database = testDatabases().find((d) => d.dialect === dialect);
  if (!database) throw new TypeError(`test database ${dialect} is not available in this run`);
  const real = await startRealTestServer({
    ...(options.host ? { host: options.host } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.logLines ? { logLines: options.logLines } : {}),
    config: (baseUrl) =>
      mergeConfigSources(
        { database: database.freshDatabase(), ...(options.webDir ? { web: { dir: options.webDir } } : {}) },
        options.config?.(baseUrl),
      ),
  });
  const { database: handle, clock, dataProtection } = real.server.app.portcullis;
  const demo = await seedDemoClinic(await demoSeedDepsFrom({ db: handle.db, clock, dataProtection }, real.config));
  return {
    server: real.server,
    url: real.baseUrl,
    accounts: demo.accounts,
    dataDir: real.dataDir,
    config: real.config,
    close: async () => {
      await real.server.close();
      rmSync(real.dataDir, { recursive: true, force: true });
    },
  };
}
