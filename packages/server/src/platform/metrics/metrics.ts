/**
 * @module platform/metrics
 *
 * Prometheus metrics (prom-client) in a registry per app instance, so tests can build several
 * apps in one process. They are served only by a separate listener bound to loopback by
 * default — never on the public API port, where they would tell an attacker about traffic.
 * With metrics turned off nothing is recorded and prom-client is never loaded.
 */
import http from 'node:http';
import type * as PromClient from 'prom-client';
import type { FastifyInstance } from 'fastify';

export interface Metrics {
  readonly registry: PromClient.Registry;
  readonly httpRequestDuration: PromClient.Histogram<'method' | 'route' | 'status'>;
  /** Password sign-in outcomes this instance counted for attack mode (`success` or `failure`). */
  readonly passwordSignIns: PromClient.Counter<'outcome'>;
  /**
   * Where `portcullis_attack_mode_active` reads the deployment's state at each scrape. Read at
   * scrape time from the shared store, every instance reports the same value, including one that
   * saw no sign-in since the mode started.
   */
  watchAttackMode(probe: () => Promise<boolean>): void;
  /** Reports the data-key cache's counters at scrape time (platform/data-protection). */
  watchDataKeyCache(probe: () => { hits: number; misses: number; size: number }): void;
}

let loaded: Promise<typeof PromClient> | undefined;

/** Lazy: metrics can be turned off, and then the library would only take memory. */
function loadPromClient(): Promise<typeof PromClient> {
  loaded ??= import('prom-client');
  return loaded;
}

export async function createMetrics(options: { collectProcessMetrics: boolean }): Promise<Metrics> {
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = await loadPromClient();
  const registry = new Registry();
  if (options.collectProcessMetrics) collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'portcullis_http_request_duration_seconds',
    help: 'API request duration by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const passwordSignIns = new Counter({
    name: 'portcullis_password_sign_ins_total',
    help: 'Password sign-in outcomes counted for attack mode: success (right password) or failure (refused as invalid credentials, or refused by the deployment-wide limit).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let attackModeProbe: (() => Promise<boolean>) | undefined;
  new Gauge({
    name: 'portcullis_attack_mode_active',
    help: 'Whether attack mode is on (1): every password sign-in needs the emailed code.',
    registers: [registry],
    async collect() {
      if (!attackModeProbe) return;
      // A store that cannot answer keeps the last value rather than failing the whole scrape.
      const active = await attackModeProbe().catch(() => undefined);
      if (active !== undefined) this.set(active ? 1 : 0);
    },
  });
  let dataKeyCacheProbe: (() => { hits: number; misses: number; size: number }) | undefined;
  new Counter({
    name: 'portcullis_data_key_cache_lookups_total',
    help: 'Reads of a person’s data key from the in-memory cache: hit, or miss (the key service unwrapped it).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      if (!dataKeyCacheProbe) return;
      const { hits, misses } = dataKeyCacheProbe();
      // The cache keeps the running totals; the counter mirrors them at scrape time.
      this.reset();
      this.inc({ result: 'hit' }, hits);
      this.inc({ result: 'miss' }, misses);
    },
  });
  new Gauge({
    name: 'portcullis_data_key_cache_keys',
    help: 'Unwrapped data keys held in memory now (bounded by keyService.cache.maxKeys).',
    registers: [registry],
    collect() {
      if (dataKeyCacheProbe) this.set(dataKeyCacheProbe().size);
    },
  });
  return {
    registry,
    httpRequestDuration,
    passwordSignIns,
    watchAttackMode(probe) {
      attackModeProbe = probe;
    },
    watchDataKeyCache(probe) {
      dataKeyCacheProbe = probe;
    },
  };
}

/**
 * Records every response against its route pattern (never the raw URL: unbounded labels). The
 * labelled child of each (method, route, status) is cached: prom-client hashes label objects on
 * every call otherwise, which shows up on the hot path.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  const children = new Map<string, ReturnType<Metrics['httpRequestDuration']['labels']>>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let child = children.get(key);
    if (!child) {
      child = metrics.httpRequestDuration.labels(request.method, route, String(reply.statusCode));
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });
}

/** The admin listener: `GET /metrics` only. */
export function createMetricsServer(registry: PromClient.Registry): http.Server {
  return http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
}
