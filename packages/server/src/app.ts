/**
 * @module app
 *
 * `buildApp(config)` assembles the Fastify instance without listening: tests drive it with
 * `inject`, `server.ts` binds it to sockets. The order below is the request pipeline: route
 * contract and error shape first (they must see every route), then the hooks every request
 * passes (headers, CORS, authentication), then the modules.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import { registerErrorHandling } from './platform/errors/error-handler.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './platform/db/index.ts';
import { createLogger } from './platform/logging/logger.ts';
import { httpsOptions, type TlsMaterial } from './platform/http/tls.ts';
import { registerSecurityHeaders } from './platform/http/security-headers.ts';
import { registerCors } from './platform/http/cors.ts';
import { registerRequestLogging } from './platform/http/request-logging.ts';
import { registerProblemResponses } from './platform/http/problem-responses.ts';
import { registerOpenApi } from './platform/http/openapi.ts';
import { enforceRouteContract } from './platform/routes/contract.ts';
import { registerAuthentication, rejectAllAuthenticator, type Authenticator } from './platform/routes/authentication.ts';
import { createMetrics, registerHttpMetrics, type Metrics } from './platform/metrics/metrics.ts';
import { healthRoutes } from './modules/health/index.ts';
import { devOutboxRoutes, shouldRegisterDevOutbox } from './modules/dev-outbox/index.ts';

export interface BuildAppOptions {
  /** Process logger; defaults to JSON on stdout at `config.log.level`. */
  readonly logger?: Logger;
  /** Certificate and key; absent means plain HTTP (tests, or `tls.mode: upstream`). */
  readonly tls?: TlsMaterial;
  /** An already open database; by default one is opened from `config.database` and closed with the app. */
  readonly database?: DatabaseHandle;
  readonly authenticator?: Authenticator;
  readonly metrics?: Metrics;
  /** Additional plugins registered after the built-in modules (tests, embedding apps). */
  readonly plugins?: readonly FastifyPluginAsync[];
}

export type App = FastifyInstance & { readonly portcullis: { readonly database: DatabaseHandle; readonly metrics: Metrics } };

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  // Typed as Fastify's logger interface so the instance keeps Fastify's default generics.
  const fastifyLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: fastifyLogger,
    // One line per request is written by request-logging.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ...(options.tls ? { https: httpsOptions(options.tls, config.http.tls.minVersion) } : {}),
    bodyLimit: config.http.bodyLimitBytes,
    // Request ids are always generated here: a client-chosen id could forge log correlation.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: config.http.trustProxy.enabled ? config.http.trustProxy.addresses : false,
    // Unknown properties are refused (400), not silently stripped, and all violations are reported.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = options.database ?? openDatabase(config, logger);
  if (!options.database) app.addHook('onClose', () => database.close());
  if (config.database.migrateOnStart.enabled) await migrateToLatest(database);
  const metrics = options.metrics ?? createMetrics({ collectProcessMetrics: false });
  app.decorate('portcullis', { database, metrics });

  enforceRouteContract(app);
  registerProblemResponses(app);
  registerErrorHandling(app);
  registerSecurityHeaders(app, config);
  registerCors(app, config);
  registerAuthentication(app, options.authenticator ?? rejectAllAuthenticator);
  registerHttpMetrics(app, metrics);
  registerRequestLogging(app);
  await registerOpenApi(app, config);

  await app.register(healthRoutes({ database }));
  if (shouldRegisterDevOutbox(config)) await app.register(devOutboxRoutes({ database }));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app as unknown as App;
}
