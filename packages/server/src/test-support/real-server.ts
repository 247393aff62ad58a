/**
 * @module test-support/real-server
 *
 * The real server (`startServer`) on a free loopback port over plain HTTP, as the SDK and
 * browser tests talk to it over a real socket. `host` is the name the client uses and also
 * the public URL the server checks DPoP `htu` and WebAuthn origins against.
 */
import net from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { loadConfig, mergeConfigSources } from '../config/load.ts';
import type { ConfigOverrides } from '../config/schema.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { startServer, type RunningServer } from '../server.ts';
import { makeTempDir } from './build-test-app.ts';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface RealTestServer {
  readonly server: RunningServer;
  /** `http://<host>:<port>`: the server's `publicUrl`. */
  readonly baseUrl: string;
}

export async function startRealTestServer(
  options: {
    readonly host?: '127.0.0.1' | 'localhost';
    /** Extra configuration, merged over the test defaults; may depend on the base URL. */
    readonly config?: (baseUrl: string) => ConfigOverrides;
    readonly plugins?: readonly FastifyPluginAsync[];
  } = {},
): Promise<RealTestServer> {
  const port = await freePort();
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const base: ConfigOverrides = {
    environment: 'test',
    publicUrl: baseUrl,
    dataDir: makeTempDir(),
    http: { port, tls: { mode: 'upstream' } },
    metrics: { enabled: false },
    log: { level: 'silent' },
  };
  const { config } = loadConfig({ overrides: mergeConfigSources(base, options.config?.(baseUrl)) });
  const server = await startServer(config, { logger: createLogger(config), ...(options.plugins ? { plugins: options.plugins } : {}) });
  return { server, baseUrl };
}
