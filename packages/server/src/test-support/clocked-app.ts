/**
 * @module test-support/clocked-app
 *
 * The production app on a manual clock (time-boxed features: elevation expiry, step-up
 * freshness), with test configuration and a fresh database of the requested dialect.
 */
import { rmSync } from 'node:fs';
import { buildApp, type App } from '../app.ts';
import type { ConfigOverrides } from '../config/schema.ts';
import { manualClock } from '../platform/clock/clock.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { testConfig } from './build-test-app.ts';
import type { TestDialect } from './databases.ts';

export async function buildClockedApp(
  dialect: TestDialect,
  config: ConfigOverrides = {},
): Promise<{ app: App; clock: ReturnType<typeof manualClock> }> {
  const clock = manualClock(Date.UTC(2026, 2, 2, 9));
  const resolved = testConfig({ dialect, config });
  const app = await buildApp(resolved, { logger: createLogger(resolved), clock });
  app.addHook('onClose', () => rmSync(resolved.dataDir, { recursive: true, force: true }));
  return { app, clock };
}
