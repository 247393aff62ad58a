/**
 * @module bench/benchmarks/platform-overhead
 *
 * What the platform costs per request: a public JSON route served by the full Portcullis
 * pipeline (`buildApp` with every global hook — security headers, CORS, route-contract
 * authentication, metrics histogram, one redacted info log line per request, server-side
 * request ids) against a bare `Fastify()` route, without a logger, returning the same JSON
 * through the same response schema. Logging is on at `info`, the production level, through
 * the server's own default logger (pino's asynchronous destination on stdout, which the runner
 * points at a file), so serialisation, redaction and the write itself are part of the cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp, loadConfig, type Config } from '@portcullis/server';
import { listenOnLoopback } from '../lib/loopback.ts';
import type { Benchmark, ListeningTarget, Variant } from '../lib/types.ts';

const PING_PATH = '/bench/ping';
const PONG = { status: 'ok', service: 'portcullis-bench' } as const;

const PONG_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string' }, service: { type: 'string' } },
  required: ['status', 'service'],
  additionalProperties: false,
} as const;

/** The route under test, passed to `buildApp` as a plugin the way an embedding app would. */
async function pingPlugin(app: FastifyInstance): Promise<void> {
  app.get(
    PING_PATH,
    { config: { auth: 'public', permission: 'none', audit: 'none' }, schema: { response: { 200: PONG_SCHEMA } } },
    async () => PONG,
  );
}

/**
 * Production-like settings without production's start-up guards (which are not under test):
 * TLS terminates "upstream" so the loopback listener speaks plain HTTP, SQLite lives in a
 * temporary directory, no metrics listener (the in-process histogram hook still runs), and
 * logging at `info`. `environment` is read only by the start-up guards, never per request,
 * so `development` measures the same request path as `production`.
 */
function benchConfig(dataDir: string): Config {
  const { config } = loadConfig({
    env: {},
    overrides: {
      environment: 'development',
      publicUrl: 'https://bench.local',
      dataDir,
      http: { host: '127.0.0.1', port: 0, tls: { mode: 'upstream' } },
      database: { url: 'sqlite:bench.db' },
      log: { level: 'info' },
      metrics: { enabled: false },
    },
  });
  return config;
}

async function setupPlatform(): Promise<ListeningTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-bench-'));
  const app = await buildApp(benchConfig(dataDir), { plugins: [pingPlugin] });
  return listenOnLoopback(app, () => rm(dataDir, { recursive: true, force: true }));
}

async function setupBareFastify(): Promise<ListeningTarget> {
  const app = Fastify();
  app.get(PING_PATH, { schema: { response: { 200: PONG_SCHEMA } } }, async () => PONG);
  return listenOnLoopback(app);
}

export const platformOverhead: Benchmark = {
  name: 'platform-overhead',
  description:
    'public JSON route through the full platform (all global hooks, info logging to a file) vs. a bare Fastify route with the same JSON and response schema',
  labels: { candidate: 'portcullis buildApp()', baseline: 'bare Fastify()' },
  target: 0.8,
  request: { method: 'GET', path: PING_PATH, expectedStatus: 200, expectedBody: JSON.stringify(PONG) },
  setup: (variant: Variant) => (variant === 'candidate' ? setupPlatform() : setupBareFastify()),
};
