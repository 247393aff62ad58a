/**
 * @module test-support/build-test-app
 *
 * `buildTestApp()` — the app as production builds it, with test-friendly configuration: a
 * temporary data directory, plain HTTP (inject never touches TLS), silent logs unless a
 * destination is given, and a fresh database of the requested dialect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { buildApp, type App } from '../app.ts';
import { loadConfig, mergeConfigSources } from '../config/load.ts';
import type { Config, ConfigOverrides } from '../config/schema.ts';
import { createLogger } from '../platform/logging/logger.ts';
import type { Authenticator } from '../platform/routes/authentication.ts';
import type { TestDialect } from './databases.ts';
import type { PasswordHasher } from '../modules/accounts/index.ts';
import type { KeyLogAppender } from '../modules/messaging/index.ts';
import { testDatabases } from './databases.ts';

export const TEST_PUBLIC_URL = 'https://portcullis.test';

export interface TestAppOptions {
  readonly dialect?: TestDialect;
  readonly config?: ConfigOverrides;
  readonly plugins?: readonly FastifyPluginAsync[];
  readonly authenticator?: Authenticator;
  /** Collects every log line (JSON text) written by the app. */
  readonly logLines?: string[];
  readonly passwordHasher?: PasswordHasher;
  /** The key transparency log messaging devices are appended to (modules/messaging/test-support). */
  readonly keyLog?: KeyLogAppender;
}

/** A writable that keeps each log line for assertions. */
export function captureLines(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
}

export function makeTempDir(prefix = 'portcullis-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function testConfig(options: Pick<TestAppOptions, 'dialect' | 'config' | 'logLines'> = {}): Config {
  const dataDir = makeTempDir();
  const dialect = options.dialect ?? 'sqlite';
  const database = testDatabases().find((d) => d.dialect === dialect);
  if (!database) throw new TypeError(`test database ${dialect} is not available in this run`);
  const base: ConfigOverrides = {
    environment: 'test',
    publicUrl: TEST_PUBLIC_URL,
    dataDir,
    http: { tls: { mode: 'upstream' } },
    database: database.freshDatabase(),
    log: { level: options.logLines ? 'info' : 'silent' },
    metrics: { enabled: false },
  };
  return loadConfig({ overrides: mergeConfigSources(base, options.config) }).config;
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<App> {
  const config = testConfig(options);
  const logger = options.logLines ? createLogger(config, captureLines(options.logLines)) : createLogger(config);
  const app = await buildApp(config, {
    logger,
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.passwordHasher ? { passwordHasher: options.passwordHasher } : {}),
    ...(options.keyLog ? { keyLog: options.keyLog } : {}),
  });
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  return app;
}
