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
import { CLASSIFICATION_KEYWORD } from '@portcullis/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import { registerErrorHandling } from './platform/errors/error-handler.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './platform/db/index.ts';
import { registerDurableResponses } from './platform/http/durable-responses.ts';
import { createLogger } from './platform/logging/logger.ts';
import { httpsOptions, type TlsMaterial } from './platform/http/tls.ts';
import { registerSecurityHeaders, securityHeaders } from './platform/http/security-headers.ts';
import { registerCors } from './platform/http/cors.ts';
import { registerRequestLogging } from './platform/http/request-logging.ts';
import {
  answerParserError,
  answerRouterError,
  refuseRequestsWithoutHost,
  registerProblemResponses,
} from './platform/http/problem-responses.ts';
import { registerOpenApi } from './platform/http/openapi.ts';
import { enforceRouteContract } from './platform/routes/contract.ts';
import { registerAuthentication, type AssuranceAdvisor, type Authenticator } from './platform/routes/authentication.ts';
import { createRolePermissions, enforcePermissionCatalogue } from './platform/routes/permissions.ts';
import { registerStepUp } from './platform/routes/step-up.ts';
import { registerRequestAudit } from './platform/audit/index.ts';
import { registerRequestLimits } from './platform/rate-limit/request-limits.ts';
import { createWindowLimiters } from './platform/rate-limit/window-limiter.ts';
import { registerHttpMetrics, type Metrics } from './platform/metrics/metrics.ts';
import { healthRoutes } from './modules/health/index.ts';
import { devOutboxRoutes, shouldRegisterDevOutbox } from './modules/dev-outbox/index.ts';
import { systemClock, type Clock } from './platform/clock/clock.ts';
import { loadKeyRing, type KeyRing } from './platform/crypto/index.ts';
import { createDataProtection, type DataProtectionService } from './platform/data-protection/index.ts';
import { openKeyService, type KeyService } from './platform/kms/index.ts';
import { createMailer, type Mailer } from './platform/mailer/index.ts';
import { createSmsSender } from './platform/sms/index.ts';
import {
  createDPoPVerifier,
  createMemoryReplayCache,
  createRedisReplayCache,
  createSessionAuthenticator,
  createTokenRequestProof,
  registerDPoPNonceAdvertising,
  sessionsRoutes,
  type ReplayCache,
  type SessionsDeps,
} from './modules/sessions/index.ts';
import {
  accountsRoutes,
  createPasswordBlocklist,
  createPasswordHasher,
  createPasswordPolicy,
  type PasswordBlocklist,
  type PasswordHasher,
} from './modules/accounts/index.ts';
import { createClientAuthenticator, introspectionEnabled, introspectionRoutes } from './modules/introspection/index.ts';
import { passkeyStepUp, passkeysModule } from './modules/passkeys/index.ts';
import { mfaRoutes, phoneRoutes, type EnrolmentDeps, type OutOfBandDeps } from './modules/mfa/index.ts';
import { assuranceRoutes, levelShortfall, requiredLevelFor, type AssuranceDeps } from './modules/assurance/index.ts';
import { createFederationDeps, federationRoutes, signInProviderNames } from './modules/federation/index.ts';
import { privacyRoutes } from './modules/privacy/index.ts';
import { recordsRoutes } from './modules/records/index.ts';
import { mayTalk, messagingRoutes, removeDevicesOfSessions, type KeyLogAppender, type MessagingDeps } from './modules/messaging/index.ts';
import { auditApiRoutes } from './modules/audit-api/index.ts';
import { appendKeyLogEntry, keyLogRoutes } from './modules/key-log/index.ts';
import { createMemoryDoorbell, createRedisDoorbell, type Doorbell } from './platform/realtime/index.ts';
import { adminRoutes } from './modules/admin/index.ts';
import { elevationRoutes, type ElevationDeps } from './modules/elevation/index.ts';
import { createStepUpChallenges, stepUpRoutes, type StepUpDeps } from './modules/step-up/index.ts';
import { webAppRoutes } from './modules/web-app/index.ts';
import { createAttackMode, createPasswordAttemptGuard, type AttackMode } from './modules/defense/index.ts';

export interface BuildAppOptions {
  /** Process logger; defaults to JSON on stdout at `config.log.level`. */
  readonly logger?: Logger;
  /** Certificate and key; absent means plain HTTP (tests, or `tls.mode: upstream`). */
  readonly tls?: TlsMaterial;
  /** An already open database; by default one is opened from `config.database` and closed with the app. */
  readonly database?: DatabaseHandle;
  readonly authenticator?: Authenticator;
  /** Where request durations are recorded; absent (metrics turned off), none are. */
  readonly metrics?: Metrics;
  /** Additional plugins registered after the built-in modules (tests, embedding apps). */
  readonly plugins?: readonly FastifyPluginAsync[];
  readonly clock?: Clock;
  /** Server secrets; by default loaded (or, in development, generated) from `config.keys`. */
  readonly keyRing?: KeyRing;
  /** The key service holding the KEKs; by default opened from `config.keyService` and closed with the app. */
  readonly keyService?: KeyService;
  /** Personal-data encryption; benchmarks pass a variant to compare against. */
  readonly dataProtection?: DataProtectionService;
  readonly mailer?: Mailer;
  /** Argon2id hasher; tests pass one whose Argon2 calls they can count. */
  readonly passwordHasher?: PasswordHasher;
  /** The key transparency log messaging devices are appended to; by default modules/key-log's own. */
  readonly keyLog?: KeyLogAppender;
}

/** Longest path parameter the router matches (ids are UUIDs); longer answers 414 REQUEST_URL_TOO_LONG. */
const MAX_PATH_PARAMETER_LENGTH = 100;

/** The offline password list is large and read-only: one copy per process, loaded on first use. */
let sharedBlocklist: PasswordBlocklist | undefined;

/** Messaging appends device credentials to the key transparency log (modules/key-log) in its own transactions. */
function keyLogAppender(clock: Clock): KeyLogAppender {
  return {
    append: (tx, entry) => appendKeyLogEntry(tx, { ...entry, signatureKey: Buffer.from(entry.signatureKey, 'base64url') }, clock),
  };
}

/**
 * The Redis connection instances share (DPoP replay cache, abuse-limit counters), when
 * `redis.url` is set. The client is imported only then: a single instance does not pay for its
 * code (≈13 MB).
 */
async function connectSharedRedis(config: Config, onClose: (close: () => Promise<void>) => void): Promise<Redis | undefined> {
  if (!config.redis.url) return undefined;
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', () => undefined); // surfaced per request by its users; avoid unhandled 'error' events
  onClose(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  // Without an offline queue, a command sent before the connection is ready fails at once: an
  // instance that served its first requests then would fall back to per-instance counts (attack
  // mode) or refuse them (replay cache). Wait for it, bounded: when Redis is down at start the
  // instance still starts, fails closed where Redis is needed, and recovers when it connects.
  await readyOrTimeout(redis, REDIS_READY_WAIT_MS);
  return redis;
}

const REDIS_READY_WAIT_MS = 5_000;

function readyOrTimeout(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    redis.once('ready', done);
  });
}

/**
 * Mailbox wake-ups: through Redis pub/sub when instances share it, so a message accepted by one
 * instance reaches an event stream another holds open; in memory for a single instance.
 */
function createDoorbell(redis: Redis | undefined, onError: (error: unknown) => void): Doorbell {
  return redis ? createRedisDoorbell({ redis, onError }) : createMemoryDoorbell();
}

/** DPoP proofs are remembered in Redis when instances share it, in memory for a single instance. */
function createReplayCache(config: Config, redis: Redis | undefined): ReplayCache {
  if (!redis) return createMemoryReplayCache({ maxEntries: config.sessions.dpop.replayCacheMaxEntries });
  return createRedisReplayCache({ redis });
}

export interface PortcullisServices {
  readonly database: DatabaseHandle;
  readonly metrics: Metrics | undefined;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly dataProtection: DataProtectionService;
  readonly mailer: Mailer;
  readonly sessions: SessionsDeps;
  /** Deployment-wide attack mode (modules/defense/attack-mode.ts). */
  readonly attackMode: AttackMode;
  /** What the messaging module works with, its doorbell included (benchmarks deliver through it). */
  readonly messaging: MessagingDeps;
}

export type App = FastifyInstance & { readonly portcullis: PortcullisServices };

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  // Typed as Fastify's logger interface so the instance keeps Fastify's default generics.
  const fastifyLogger: FastifyBaseLogger = logger;
  // Answers given before any route runs carry the same headers as every other response.
  const headers = securityHeaders(config);
  const app = Fastify({
    loggerInstance: fastifyLogger,
    // One line per request is written by request-logging.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // A request without Host is refused in the pipeline (problem-responses.ts), not by Node's bare 400.
    ...(options.tls
      ? { https: { ...httpsOptions(options.tls, config.http.tls.minVersion), requireHostHeader: false } }
      : { http: { requireHostHeader: false } }),
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
    // `x-classification` annotates declared fields for the OpenAPI document (modules/records); it validates nothing.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false, keywords: [CLASSIFICATION_KEYWORD] } },
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: answerRouterError({ headers }),
    clientErrorHandler: answerParserError({ headers, logger: fastifyLogger }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = options.database ?? openDatabase(config, logger);
  if (!options.database) app.addHook('onClose', () => database.close());
  const metrics = options.metrics;
  const clock = options.clock ?? systemClock;
  const keyRing = options.keyRing ?? loadKeyRing(config);
  const keyService = options.keyService ?? (await openKeyService(config));
  if (!options.keyService) app.addHook('onClose', () => keyService.close());
  const dataProtection =
    options.dataProtection ??
    createDataProtection({
      keyService,
      now: () => clock.now(),
      cache: { maxKeys: config.keyService.cache.maxKeys, ttlMs: config.keyService.cache.ttlSeconds * 1000 },
    });
  if (config.database.migrateOnStart.enabled) await migrateToLatest(database, { keyRing, dataProtection });
  const mailer = options.mailer ?? createMailer(config, { db: database.db, clock, dataProtection });
  const onBackgroundError = (error: unknown) => app.log.error({ err: error }, 'background mail delivery failed');
  const redis = await connectSharedRedis(config, (close) => app.addHook('onClose', close));
  const doorbell = createDoorbell(redis, (error) => app.log.warn({ err: error }, 'messaging wake-up not delivered'));
  app.addHook('onClose', () => doorbell.close());
  const messaging: MessagingDeps = {
    db: database.db,
    dialect: database.dialect,
    clock,
    keyLog: options.keyLog ?? keyLogAppender(clock),
    config: config.messaging,
    doorbell,
  };
  const sessions: SessionsDeps = {
    db: database.db,
    keyRing,
    dataProtection,
    clock,
    config: config.sessions,
    newDevice: config.defense.newDevice,
    mailer,
    publicUrl: config.publicUrl,
    onBackgroundError,
    // Ending a session removes its messaging device's credential in the same transaction.
    onSessionsRevoked: (tx, sessionIds) => removeDevicesOfSessions(messaging, tx, sessionIds),
  };
  const replayCache = createReplayCache(config, redis);
  const limiters = createWindowLimiters({ keyRing, redis });
  const dpop = createDPoPVerifier({ config: config.sessions.dpop, keyRing, replayCache, now: () => clock.now() });
  const tokenRequestProof = createTokenRequestProof(dpop, config.publicUrl, config.sessions.bearerClients);
  sharedBlocklist ??= createPasswordBlocklist();
  // Build the index now rather than on the first sign-up (≈0.4 s of CPU); tests load it lazily.
  if (config.environment !== 'test') await sharedBlocklist.load();
  const attackMode = createAttackMode({
    db: database.db,
    clock,
    keyRing,
    redis,
    config: config.defense.attackMode,
    ...(metrics ? { counted: (outcome: 'success' | 'failure') => metrics.passwordSignIns.inc({ outcome }) } : {}),
  });
  metrics?.watchAttackMode(() => attackMode.active());
  metrics?.watchDataKeyCache(() => dataProtection.cacheStats());
  // What a session below the level it needs is told: by the route contract, and by enrolment.
  const assuranceAdvisor: AssuranceAdvisor = (session, level) =>
    levelShortfall(session, level, { mfa: config.mfa, passkeys: config.passkeys.enabled });
  const mfa: OutOfBandDeps & EnrolmentDeps = {
    db: database.db,
    clock,
    keyRing,
    dataProtection,
    sessions,
    mailer,
    sms: createSmsSender(config, { db: database.db, clock, dataProtection }),
    outOfBandAllowedFor: (roles) => requiredLevelFor(roles, config.mfa.requiredLevel) === 'aal1',
    assuranceAdvisor,
  };
  const assurance: AssuranceDeps = {
    db: database.db,
    clock,
    keyRing,
    dataProtection,
    config: config.mfa,
    passkeySignIn: config.passkeys.enabled,
    passwordSignIn: config.passwords.enabled,
    sessions,
    mfa,
    mailer,
    onBackgroundError,
    defense: { newDeviceConfirmation: config.defense.newDevice.confirm, attackMode },
  };
  const stepUp: StepUpDeps = {
    db: database.db,
    clock,
    keyRing,
    config: config.mfa,
    assurance,
    passkeys: await passkeyStepUp({ config, db: database.db, clock }),
  };
  const accounts = {
    db: database.db,
    clock,
    keyRing,
    dataProtection,
    mailer,
    sessions,
    assurance,
    passwordsEnabled: config.passwords.enabled,
    signInProviders: signInProviderNames(config),
    hasher: options.passwordHasher ?? (await createPasswordHasher({ config: config.passwords })),
    policy: createPasswordPolicy({ config: config.passwords, blocklist: sharedBlocklist }),
    passwordAttempts: createPasswordAttemptGuard(limiters, config.defense.passwordFailures),
    attackMode,
    checkBreachedAtSignIn: config.defense.breachedPasswords.checkAtSignIn,
    onBackgroundError,
  };
  app.decorate('portcullis', { database, metrics, clock, keyRing, dataProtection, mailer, sessions, attackMode, messaging });

  enforceRouteContract(app);
  const access = createRolePermissions(config.access.roles);
  enforcePermissionCatalogue(app, access);
  registerProblemResponses(app);
  registerErrorHandling(app);
  registerDurableResponses(app, database.commits);
  registerSecurityHeaders(app, headers);
  refuseRequestsWithoutHost(app);
  registerCors(app, config);
  // Before authentication: a refused flood costs one counter increment.
  registerRequestLimits(app, limiters, config.defense.requests);
  registerAuthentication(
    app,
    options.authenticator ??
      createSessionAuthenticator({ sessions, dpop, publicUrl: config.publicUrl, bearerClients: config.sessions.bearerClients, access }),
    {
      clientAuthenticator: createClientAuthenticator({ clients: config.introspection.clients }),
      assuranceAdvisor,
    },
  );
  registerStepUp(app, createStepUpChallenges(stepUp), { clock });
  registerRequestAudit(app, { db: database.db, clock });
  registerDPoPNonceAdvertising(app, dpop);
  if (metrics) registerHttpMetrics(app, metrics);
  registerRequestLogging(app);
  await registerOpenApi(app, config);

  await app.register(healthRoutes({ database }));
  await app.register(accountsRoutes({ accounts, tokenRequestProof }));
  await app.register(sessionsRoutes({ sessions, tokenRequestProof }));
  await app.register(passkeysModule({ config, db: database.db, clock, dataProtection, sessions, tokenRequestProof }));
  await app.register(mfaRoutes({ mfa }));
  await app.register(phoneRoutes({ mfa }));
  await app.register(assuranceRoutes({ assurance, tokenRequestProof }));
  await app.register(stepUpRoutes(stepUp));
  await app.register(federationRoutes({ config, database, clock, keyRing, dataProtection, sessions, assurance, tokenRequestProof }));
  await app.register(recordsRoutes({ db: database.db, clock, dataProtection, access, types: config.records.types }));
  await app.register(messagingRoutes(messaging));
  await app.register(auditApiRoutes({ db: database.db, clock, keyRing, config }));
  await app.register(
    keyLogRoutes({
      db: database.db,
      clock,
      keyRing,
      config,
      // An entry names an account and its devices: only those the messaging policy lets the viewer reach may read it.
      entryVisible: (viewer, entry) => mayTalk(database.db, config.messaging.policy.rules, viewer, entry.accountId),
    }),
  );
  const elevation: ElevationDeps = { db: database.db, clock, access: config.access };
  await app.register(elevationRoutes(elevation));
  await app.register(
    adminRoutes({
      db: database.db,
      clock,
      dataProtection,
      access: config.access,
      sessions,
      elevation,
      mailer,
      attackMode,
      onBackgroundError,
      overview: {
        tls: config.http.tls,
        mfaPolicy: config.mfa.requiredLevel,
        attackModeWindowMinutes: config.defense.attackMode.windowMinutes,
        keyService,
      },
    }),
  );
  const federation = createFederationDeps({ config, database, clock, keyRing, dataProtection, sessions, assurance });
  await app.register(
    privacyRoutes({
      erasure: { db: database.db, clock, dataProtection, federation, onSessionsRevoked: sessions.onSessionsRevoked },
      export: { db: database.db, clock, keyRing, dataProtection, types: config.records.types, accounts },
    }),
  );
  if (introspectionEnabled(config)) await app.register(introspectionRoutes({ sessions }));
  if (shouldRegisterDevOutbox(config)) await app.register(devOutboxRoutes({ database, dataProtection }));
  if (config.web.enabled) await app.register(webAppRoutes({ config, logger: app.log }));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app as unknown as App;
}
