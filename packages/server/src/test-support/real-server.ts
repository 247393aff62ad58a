/**
 * @module test-support/real-server
 *
 * The real server (`startServer`) on a free loopback port, as the SDK and browser tests talk to
 * it over a real socket: plain HTTP by default, or HTTPS with the self-signed development
 * certificate that `npm start` uses (`tls: 'self-signed'`, always named `localhost`, which the
 * certificate is made for). `host` is the name the client uses and also the public URL the server
 * checks DPoP `htu` and WebAuthn origins against.
 */
import net from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { loadConfig, mergeConfigSources } from '../config/load.ts';
import type { Config, ConfigOverrides } from '../config/schema.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { startServer, type RunningServer } from '../server.ts';
import { captureLines, makeTempDir } from './build-test-app.ts';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface RealTestServer {
  readonly server: RunningServer;
  /** `http(s)://<host>:<port>`: the server's `publicUrl`. */
  readonly baseUrl: string;
  /** With `tls: 'self-signed'`: the certificate a client must trust (`NODE_EXTRA_CA_CERTS`). */
  readonly certificateFile: string | undefined;
  /** The server's data directory (a fresh temporary one). */
  readonly dataDir: string;
  /** The configuration the server runs with. */
  readonly config: Config;
}

export async function startRealTestServer(
  options: {
    readonly host?: '127.0.0.1' | 'localhost';
    /** `self-signed`: HTTPS with the development certificate, as `npm start` serves. */
    readonly tls?: 'self-signed';
    /** Extra configuration, merged over the test defaults; may depend on the base URL. */
    readonly config?: (baseUrl: string) => ConfigOverrides;
    readonly plugins?: readonly FastifyPluginAsync[];
    /** Collects every log line the server writes (at `info` and above), to search them. */
    readonly logLines?: string[];
  } = {},
): Promise<RealTestServer> {
  const port = await freePort();
  const baseUrl = options.tls ? `https://localhost:${port}` : `http://${options.host ?? '127.0.0.1'}:${port}`;
  const base: ConfigOverrides = {
    environment: 'test',
    publicUrl: baseUrl,
    dataDir: makeTempDir(),
    http: { port, tls: { mode: options.tls ?? 'upstream' } },
    metrics: { enabled: false },
    log: { level: options.logLines ? 'info' : 'silent' },
  };
  const { config } = loadConfig({ overrides: mergeConfigSources(base, options.config?.(baseUrl)) });
  const logger = options.logLines ? createLogger(config, captureLines(options.logLines)) : createLogger(config);
  const server = await startServer(config, { logger, ...(options.plugins ? { plugins: options.plugins } : {}) });
  return { server, baseUrl, certificateFile: server.devCertificateFile, dataDir: config.dataDir, config };
}
