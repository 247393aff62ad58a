/**
 * @module bench/benchmarks/platform-overhead
 *
 * What the platform costs per request: a public JSON route served by the full Portcullis
 * pipeline (`buildApp` with every global hook — security headers, CORS, route-contract
 * authentication, metrics histogram, the request-log hook, server-side request ids) against a
 * bare `Fastify()` route, without a logger, returning the same JSON through the same response
 * schema. Logging is on at `info`, the production level, through the server's own default
 * logger (pino's asynchronous destination on stdout, which the runner points at a file). The
 * server logs successful requests at `debug`, so at `info` a 200 costs the per-request child
 * logger and a disabled log call, but writes no line; refusals and failures would. The route
 * declares `limit: 'network'`, the class of the anonymous sign-in routes, so the candidate also
 * takes a unit of the per-network request counter on every request (raised out of the single
 * load generator's way by `benchConfig`): the dearest thing the platform does for a public route.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { listenOnLoopback } from '../lib/loopback.ts';
import { fixedWorkload, type Benchmark, type ListeningTarget, type RequestSpec } from '../lib/types.ts';
import { startPortcullis } from './support/portcullis.ts';

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
    { config: { auth: 'public', permission: 'none', audit: 'none', limit: 'network' }, schema: { response: { 200: PONG_SCHEMA } } },
    async () => PONG,
  );
}

async function setupBareFastify(): Promise<ListeningTarget> {
  const app = Fastify();
  app.get(PING_PATH, { schema: { response: { 200: PONG_SCHEMA } } }, async () => PONG);
  return listenOnLoopback(app);
}

const PING_REQUEST: RequestSpec = { method: 'GET', path: PING_PATH, expectedStatus: 200, expectedBody: JSON.stringify(PONG) };

export const platformOverhead: Benchmark = {
  name: 'platform-overhead',
  description:
    'public JSON route through the full platform (all global hooks, info logging to a file) vs. a bare Fastify route with the same JSON and response schema',
  target: 0.8,
  sides: {
    candidate: {
      kind: 'http',
      label: 'portcullis buildApp()',
      setup: () => startPortcullis([pingPlugin]),
      workload: fixedWorkload(PING_REQUEST),
    },
    baseline: { kind: 'http', label: 'bare Fastify()', setup: setupBareFastify, workload: fixedWorkload(PING_REQUEST) },
  },
};
